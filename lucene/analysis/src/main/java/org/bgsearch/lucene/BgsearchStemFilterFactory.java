package org.bgsearch.lucene;

import java.util.Map;
import org.apache.lucene.analysis.TokenFilterFactory;
import org.apache.lucene.analysis.TokenStream;

/** Lucene SPI factory ({@code bgsearchStem}) of {@link BulgarianStemFilter}. */
public final class BgsearchStemFilterFactory extends TokenFilterFactory {

  /** SPI name. */
  public static final String NAME = "bgsearchStem";

  public BgsearchStemFilterFactory(Map<String, String> args) {
    super(args);
    if (!args.isEmpty()) {
      throw new IllegalArgumentException("Unknown parameters: " + args);
    }
  }

  /** Default ctor for compatibility with SPI. */
  public BgsearchStemFilterFactory() {
    throw defaultCtorException();
  }

  @Override
  public TokenStream create(TokenStream input) {
    return new BulgarianStemFilter(input);
  }
}
