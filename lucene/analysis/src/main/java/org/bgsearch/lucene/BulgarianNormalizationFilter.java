package org.bgsearch.lucene;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.KeywordAttribute;

/**
 * Lucene adapter of {@link BulgarianNormalizer}: replaces each token by its normalized spelling.
 *
 * <p>An acronym written in capitals (a token of the letters а-я once normalized, in capitals in the
 * text, that {@link BulgarianTerms#isAcronym} accepts: НЗОК, ДВ) is marked as a keyword
 * ({@link KeywordAttribute}), so {@link BulgarianStemFilter} (and any stemmer that honours keywords)
 * leaves it as it is, as bgsearch does: after normalization the capitals are gone.
 */
public final class BulgarianNormalizationFilter extends TokenFilter {

  private final CharTermAttribute termAtt = addAttribute(CharTermAttribute.class);
  private final KeywordAttribute keywordAtt = addAttribute(KeywordAttribute.class);
  /** Normalized spellings memoized per stream (streams are reused per thread), bounded. */
  private final Map<String, String> cache = new HashMap<>();

  public BulgarianNormalizationFilter(TokenStream input) {
    super(input);
  }

  @Override
  public boolean incrementToken() throws IOException {
    if (!input.incrementToken()) {
      return false;
    }
    String raw = termAtt.toString();
    String normalized = cache.get(raw);
    if (normalized == null) {
      normalized = BulgarianNormalizer.normalize(raw);
      if (cache.size() >= BulgarianStemFilter.CACHE_SIZE) {
        cache.clear();
      }
      cache.put(raw, normalized);
    }
    if (!keywordAtt.isKeyword() && BulgarianTerms.isUpperCase(raw)
        && BulgarianNormalizer.isCyrillicWord(normalized) && BulgarianTerms.isAcronym(normalized)) {
      keywordAtt.setKeyword(true);
    }
    if (!normalized.contentEquals(termAtt)) {
      termAtt.setEmpty().append(normalized);
    }
    return true;
  }
}
