package org.bgsearch.lucene;

import java.util.Map;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenFilterFactory;
import org.apache.lucene.analysis.TokenStream;

/** Lucene SPI factory ({@code bgsearchStop}): Savoy's stop words, normalized, leaving position gaps. */
public final class BgsearchStopFilterFactory extends TokenFilterFactory {

  /** SPI name. */
  public static final String NAME = "bgsearchStop";

  private static final CharArraySet WORDS =
      CharArraySet.unmodifiableSet(new CharArraySet(BulgarianStopWords.defaultStopWords(), false));

  public BgsearchStopFilterFactory(Map<String, String> args) {
    super(args);
    if (!args.isEmpty()) {
      throw new IllegalArgumentException("Unknown parameters: " + args);
    }
  }

  /** Default ctor for compatibility with SPI. */
  public BgsearchStopFilterFactory() {
    throw defaultCtorException();
  }

  @Override
  public TokenStream create(TokenStream input) {
    return new StopFilter(input, WORDS);
  }
}
