package org.bgsearch.lucene;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.KeywordAttribute;

/**
 * Lucene adapter of the stemmers ({@link BulgarianTerms#stem}): words of the letters а-я get
 * bgsearch's Bulgarian stemmer, ASCII words Snowball English, others stay as they are. Expects
 * normalized tokens (after {@link BulgarianNormalizationFilter} or {@link BulgarianNormalizeCharFilter}).
 * Tokens marked as keywords ({@link KeywordAttribute}) are left alone.
 */
public final class BulgarianStemFilter extends TokenFilter {

  static final int CACHE_SIZE = 50_000;

  private final CharTermAttribute termAtt = addAttribute(CharTermAttribute.class);
  private final KeywordAttribute keywordAtt = addAttribute(KeywordAttribute.class);
  private final BulgarianTerms terms = new BulgarianTerms(Set.of(), true);
  /** Text repeats its words: stems memoized per stream (streams are reused per thread), bounded. */
  private final Map<String, String> cache = new HashMap<>();

  public BulgarianStemFilter(TokenStream input) {
    super(input);
  }

  @Override
  public boolean incrementToken() throws IOException {
    if (!input.incrementToken()) {
      return false;
    }
    if (!keywordAtt.isKeyword()) {
      String word = termAtt.toString();
      String stem = cache.get(word);
      if (stem == null) {
        stem = terms.stem(word);
        if (cache.size() >= CACHE_SIZE) {
          cache.clear();
        }
        cache.put(word, stem);
      }
      if (!stem.equals(word)) {
        termAtt.setEmpty().append(stem);
      }
    }
    return true;
  }
}
