package org.bgsearch.lucene;

import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;

/**
 * bgsearch's Bulgarian analyzer for Lucene: {@link BulgarianTokenizer} → {@link
 * BulgarianNormalizationFilter} → stop words (Savoy's, leaving a position gap) → {@link
 * BulgarianStemFilter}. Its terms, offsets and positions equal those of
 * {@code bgsearch.analysis.BulgarianAnalyzer} of version {@link BulgarianAnalysis#VERSION}.
 */
public final class BgsearchBulgarianAnalyzer extends Analyzer {

  private final CharArraySet stopWords;

  /** The default analyzer: Savoy's stop words. */
  public BgsearchBulgarianAnalyzer() {
    this(BulgarianStopWords.defaultStopWords());
  }

  /** @param stopWords stop words (normalized here, as Python does). */
  public BgsearchBulgarianAnalyzer(Set<String> stopWords) {
    CharArraySet set = new CharArraySet(stopWords.size(), false);
    for (String word : stopWords) {
      set.add(BulgarianNormalizer.normalize(word));
    }
    this.stopWords = CharArraySet.unmodifiableSet(set);
  }

  @Override
  protected TokenStreamComponents createComponents(String fieldName) {
    Tokenizer source = new BulgarianTokenizer();
    TokenStream stream = new BulgarianNormalizationFilter(source);
    stream = new StopFilter(stream, stopWords);
    stream = new BulgarianStemFilter(stream);
    return new TokenStreamComponents(source, stream);
  }

  @Override
  protected TokenStream normalize(String fieldName, TokenStream in) {
    return new BulgarianNormalizationFilter(in);
  }
}
