package org.bgsearch.opensearch;

import java.io.Reader;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.bgsearch.lucene.BulgarianNormalizationFilter;
import org.bgsearch.lucene.BulgarianNormalizeCharFilter;
import org.bgsearch.lucene.BulgarianStemFilter;
import org.bgsearch.lucene.BulgarianStopWords;
import org.bgsearch.lucene.BulgarianTokenizer;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.IndexSettings;
import org.opensearch.index.analysis.AbstractCharFilterFactory;
import org.opensearch.index.analysis.AbstractTokenFilterFactory;
import org.opensearch.index.analysis.AbstractTokenizerFactory;
import org.opensearch.index.analysis.NormalizingCharFilterFactory;
import org.opensearch.index.analysis.NormalizingTokenFilterFactory;

/** OpenSearch factories of the bgsearch Lucene components (they hold no algorithm). */
final class BgsearchFactories {

  private BgsearchFactories() {}

  /** {@code bgsearch_tokenizer}. */
  static final class Tokenizer extends AbstractTokenizerFactory {
    Tokenizer(IndexSettings indexSettings, Environment env, String name, Settings settings) {
      super(indexSettings, settings, name);
    }

    @Override
    public org.apache.lucene.analysis.Tokenizer create() {
      return new BulgarianTokenizer();
    }
  }

  /** Token filter {@code bgsearch_normalize}; usable in normalizers too. */
  static final class Normalize extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
    Normalize(IndexSettings indexSettings, Environment env, String name, Settings settings) {
      super(indexSettings, name, settings);
    }

    @Override
    public TokenStream create(TokenStream stream) {
      return new BulgarianNormalizationFilter(stream);
    }
  }

  /** {@code bgsearch_stop}: Savoy's stop words (normalized), leaving position gaps. */
  static final class Stop extends AbstractTokenFilterFactory {
    private static final CharArraySet WORDS =
        CharArraySet.unmodifiableSet(new CharArraySet(BulgarianStopWords.defaultStopWords(), false));

    Stop(IndexSettings indexSettings, Environment env, String name, Settings settings) {
      super(indexSettings, name, settings);
    }

    @Override
    public TokenStream create(TokenStream stream) {
      return new StopFilter(stream, WORDS);
    }
  }

  /** {@code bgsearch_stemmer}. */
  static final class Stemmer extends AbstractTokenFilterFactory {
    Stemmer(IndexSettings indexSettings, Environment env, String name, Settings settings) {
      super(indexSettings, name, settings);
    }

    @Override
    public TokenStream create(TokenStream stream) {
      return new BulgarianStemFilter(stream);
    }
  }

  /** Char filter {@code bgsearch_normalize}. */
  static final class NormalizeChars extends AbstractCharFilterFactory implements NormalizingCharFilterFactory {
    NormalizeChars(IndexSettings indexSettings, Environment env, String name, Settings settings) {
      super(indexSettings, name);
    }

    @Override
    public Reader create(Reader reader) {
      return new BulgarianNormalizeCharFilter(reader);
    }
  }
}
