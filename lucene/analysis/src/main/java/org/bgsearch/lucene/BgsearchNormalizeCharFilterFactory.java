package org.bgsearch.lucene;

import java.io.Reader;
import java.util.Map;
import org.apache.lucene.analysis.CharFilterFactory;

/** Lucene SPI factory ({@code bgsearchNormalize}) of {@link BulgarianNormalizeCharFilter}. */
public final class BgsearchNormalizeCharFilterFactory extends CharFilterFactory {

  /** SPI name. */
  public static final String NAME = "bgsearchNormalize";

  public BgsearchNormalizeCharFilterFactory(Map<String, String> args) {
    super(args);
    if (!args.isEmpty()) {
      throw new IllegalArgumentException("Unknown parameters: " + args);
    }
  }

  /** Default ctor for compatibility with SPI. */
  public BgsearchNormalizeCharFilterFactory() {
    throw defaultCtorException();
  }

  @Override
  public Reader create(Reader input) {
    return new BulgarianNormalizeCharFilter(input);
  }

  @Override
  public Reader normalize(Reader input) {
    return create(input);
  }
}
