package org.bgsearch.lucene;

import java.util.Set;

/**
 * The term of one raw token, the same function as {@code bgsearch.analysis.BulgarianFilter.term}:
 * normalize; a stop word has no term; a word of the letters а-я gets the Bulgarian stemmer, an
 * ASCII alphabetic word Snowball English, any other word stays normalized.
 *
 * <p>Not thread-safe (the English stemmer reuses a buffer): one instance per thread or token
 * stream. Pure: no Lucene types.
 */
public final class BulgarianTerms {

  private final Set<String> stopWords;
  private final boolean stem;
  private final BulgarianStemmer stemmer = BulgarianStemmer.getInstance();
  private final EnglishStemmer english = new EnglishStemmer();

  /** Savoy's stop words and stemming: bgsearch's default analyzer. */
  public BulgarianTerms() {
    this(BulgarianStopWords.defaultStopWords(), true);
  }

  /** @param stopWords normalized stop words; @param stem whether to stem. */
  public BulgarianTerms(Set<String> stopWords, boolean stem) {
    this.stopWords = stopWords;
    this.stem = stem;
  }

  /** The index term of a raw token, or null for a stop word. */
  public String term(String raw) {
    String word = BulgarianNormalizer.normalize(raw);
    if (word.isEmpty() || stopWords.contains(word)) {
      return null;
    }
    return stem ? stem(word) : word;
  }

  /** Stems a normalized word: Bulgarian for а-я words, Snowball English for ASCII letters, else unchanged. */
  public String stem(String word) {
    if (BulgarianNormalizer.isCyrillicWord(word)) {
      return stemmer.stem(word);
    }
    if (BulgarianNormalizer.isAsciiAlphabetic(word)) {
      return stemEnglish(word);
    }
    return word;
  }

  /** Snowball English (Porter2, Snowball 3.1), as PyStemmer's "english". */
  public String stemEnglish(String word) {
    return english.stem(word);
  }
}
