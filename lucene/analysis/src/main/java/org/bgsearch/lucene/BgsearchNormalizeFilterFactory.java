package org.bgsearch.lucene;

import java.util.Map;
import org.apache.lucene.analysis.TokenFilterFactory;
import org.apache.lucene.analysis.TokenStream;

/** Lucene SPI factory ({@code bgsearchNormalize}) of {@link BulgarianNormalizationFilter}. */
public final class BgsearchNormalizeFilterFactory extends TokenFilterFactory {

  /** SPI name. */
  public static final String NAME = "bgsearchNormalize";

  public BgsearchNormalizeFilterFactory(Map<String, String> args) {
    super(args);
    if (!args.isEmpty()) {
      throw new IllegalArgumentException("Unknown parameters: " + args);
    }
  }

  /** Default ctor for compatibility with SPI. */
  public BgsearchNormalizeFilterFactory() {
    throw defaultCtorException();
  }

  @Override
  public TokenStream create(TokenStream input) {
    return new BulgarianNormalizationFilter(input);
  }

  @Override
  public TokenStream normalize(TokenStream input) {
    return create(input);
  }
}
