package org.bgsearch.opensearch;

import static java.util.Map.entry;

import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.opensearch.index.analysis.AnalyzerProvider;
import org.opensearch.index.analysis.CharFilterFactory;
import org.opensearch.index.analysis.TokenFilterFactory;
import org.opensearch.index.analysis.TokenizerFactory;
import org.opensearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.opensearch.plugins.AnalysisPlugin;
import org.opensearch.plugins.Plugin;

/**
 * bgsearch's Bulgarian analysis in OpenSearch:
 *
 * <ul>
 *   <li>analyzer {@code bgsearch_bulgarian}: bgsearch's whole analyzer (the terms, offsets and
 *       positions of {@code bgsearch analyze});
 *   <li>tokenizer {@code bgsearch_tokenizer};
 *   <li>token filters {@code bgsearch_normalize}, {@code bgsearch_stop} (Savoy's stop words, with
 *       position gaps) and {@code bgsearch_stemmer} (Bulgarian for а-я words, Snowball English for
 *       ASCII ones; expects normalized tokens; honours {@code keyword_marker} and the acronyms in
 *       capitals {@code bgsearch_normalize} marks as keywords);
 *   <li>char filter {@code bgsearch_normalize}: normalizes each word of the text in place.
 * </ul>
 */
public final class BgsearchAnalysisPlugin extends Plugin implements AnalysisPlugin {

  @Override
  public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
    return Map.of("bgsearch_bulgarian", BgsearchBulgarianAnalyzerProvider::new);
  }

  @Override
  public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
    return Map.of("bgsearch_tokenizer", BgsearchFactories.Tokenizer::new);
  }

  @Override
  public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
    return Map.ofEntries(
        entry("bgsearch_normalize", BgsearchFactories.Normalize::new),
        entry("bgsearch_stop", BgsearchFactories.Stop::new),
        entry("bgsearch_stemmer", BgsearchFactories.Stemmer::new));
  }

  @Override
  public Map<String, AnalysisProvider<CharFilterFactory>> getCharFilters() {
    return Map.of("bgsearch_normalize", BgsearchFactories.NormalizeChars::new);
  }
}
