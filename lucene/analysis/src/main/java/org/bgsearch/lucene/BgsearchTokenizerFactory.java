package org.bgsearch.lucene;

import java.util.Map;
import org.apache.lucene.analysis.TokenizerFactory;
import org.apache.lucene.util.AttributeFactory;

/** Lucene SPI factory ({@code bgsearch}) of {@link BulgarianTokenizer}, for CustomAnalyzer and Solr. */
public final class BgsearchTokenizerFactory extends TokenizerFactory {

  /** SPI name. */
  public static final String NAME = "bgsearch";

  public BgsearchTokenizerFactory(Map<String, String> args) {
    super(args);
    if (!args.isEmpty()) {
      throw new IllegalArgumentException("Unknown parameters: " + args);
    }
  }

  /** Default ctor for compatibility with SPI. */
  public BgsearchTokenizerFactory() {
    throw defaultCtorException();
  }

  @Override
  public BulgarianTokenizer create(AttributeFactory factory) {
    return new BulgarianTokenizer(factory);
  }
}
