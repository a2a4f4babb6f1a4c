package org.bgsearch.lucene;

import java.io.IOException;
import java.io.Reader;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.tests.analysis.BaseTokenStreamTestCase;

/**
 * Lucene's own contract checks on random text (offsets, positions, reset/end/close, reuse across
 * threads), for the analyzer and the char filter chain.
 */
public class TokenStreamContractTest extends BaseTokenStreamTestCase {

  public void testAnalyzerOnRandomText() throws IOException {
    try (Analyzer analyzer = new BgsearchBulgarianAnalyzer()) {
      checkRandomData(random(), analyzer, 200 * RANDOM_MULTIPLIER);
      checkRandomData(random(), analyzer, 20 * RANDOM_MULTIPLIER, 2000);
    }
  }

  public void testCharFilterChainOnRandomText() throws IOException {
    CharArraySet stop = new CharArraySet(BulgarianStopWords.defaultStopWords(), false);
    try (Analyzer analyzer = new Analyzer() {
          @Override
          protected Reader initReader(String field, Reader reader) {
            return new BulgarianNormalizeCharFilter(reader);
          }

          @Override
          protected TokenStreamComponents createComponents(String field) {
            Tokenizer t = new BulgarianTokenizer();
            return new TokenStreamComponents(t, new BulgarianStemFilter(new StopFilter(t, stop)));
          }
        }) {
      checkRandomData(random(), analyzer, 200 * RANDOM_MULTIPLIER);
    }
  }

  public void testOffsetsAndPositions() throws IOException {
    try (Analyzer analyzer = new BgsearchBulgarianAnalyzer()) {
      assertAnalyzesTo(analyzer, "министър на финансите 123-мата",
          new String[] {"министър", "финанс", "123"},
          new int[] {0, 12, 22}, new int[] {8, 21, 25}, new int[] {1, 2, 1});
    }
  }
}
