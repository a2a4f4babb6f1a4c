package org.bgsearch.opensearch;

import org.bgsearch.lucene.BgsearchBulgarianAnalyzer;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.index.IndexSettings;
import org.opensearch.index.analysis.AbstractIndexAnalyzerProvider;

/** The {@code bgsearch_bulgarian} analyzer: bgsearch's analyzer, no settings. */
public final class BgsearchBulgarianAnalyzerProvider extends AbstractIndexAnalyzerProvider<BgsearchBulgarianAnalyzer> {

  private final BgsearchBulgarianAnalyzer analyzer = new BgsearchBulgarianAnalyzer();

  public BgsearchBulgarianAnalyzerProvider(IndexSettings indexSettings, Environment env, String name, Settings settings) {
    super(indexSettings, name, settings);
  }

  @Override
  public BgsearchBulgarianAnalyzer get() {
    return analyzer;
  }
}
