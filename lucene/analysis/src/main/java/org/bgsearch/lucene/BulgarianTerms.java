package org.bgsearch.lucene;

import java.util.Set;

/**
 * The term of one raw token, the same function as {@code bgsearch.analysis.BulgarianFilter.term}:
 * normalize; a stop word has no term; a word of the letters а-я gets the Bulgarian stemmer, unless
 * it is an acronym (one of {@link #KNOWN_ACRONYMS}, or written in capitals and {@link #isAcronym}),
 * an ASCII alphabetic word Snowball English, any other word stays normalized.
 *
 * <p>Not thread-safe (the English stemmer reuses a buffer): one instance per thread or token
 * stream. Pure: no Lucene types.
 */
public final class BulgarianTerms {

  /**
   * {@code bgsearch.analysis.pipeline.KNOWN_ACRONYMS}: acronyms that are also dictionary forms, never
   * stemmed, in capitals or not.
   */
  public static final Set<String> KNOWN_ACRONYMS =
      Set.of("нато", "юнеско", "уефа", "фифа", "уницеф", "опек", "бта", "оссе");
  /** A word written in capitals of at most this many letters may be an acronym. */
  static final int MAX_ACRONYM = 5;
  /** A word written in capitals of at most this many letters is an acronym even when the dictionary knows it. */
  static final int SHORT_ACRONYM = 3;

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
    if (!stem) {
      return word;
    }
    if (BulgarianNormalizer.isCyrillicWord(word) && isUpperCase(raw) && isAcronym(word)) {
      return word;
    }
    return stem(word);
  }

  /**
   * Stems a normalized word: Bulgarian for а-я words (not {@link #KNOWN_ACRONYMS}), Snowball English
   * for ASCII letters, else unchanged. Acronyms in capitals are the caller's (see {@link #term}).
   */
  public String stem(String word) {
    if (BulgarianNormalizer.isCyrillicWord(word)) {
      return KNOWN_ACRONYMS.contains(word) ? word : stemmer.stem(word);
    }
    if (BulgarianNormalizer.isAsciiAlphabetic(word)) {
      return stemEnglish(word);
    }
    return word;
  }

  /**
   * Whether a normalized word of the letters а-я, written in capitals in the text, is an acronym
   * ({@code bgsearch.analysis.pipeline._is_acronym}): 2 to {@value #MAX_ACRONYM} letters, and at
   * most {@value #SHORT_ACRONYM} or not a dictionary form.
   */
  public static boolean isAcronym(String word) {
    int n = word.length();
    return n >= 2 && n <= MAX_ACRONYM
        && (n <= SHORT_ACRONYM || !BulgarianStemmer.getInstance().isKnown(word));
  }

  /**
   * Python's {@code str.isupper()}: at least one cased character, and no lower-case or title-case
   * one (the Unicode Uppercase and Lowercase properties, as {@link Character#isUpperCase(int)}).
   */
  public static boolean isUpperCase(CharSequence text) {
    boolean cased = false;
    for (int i = 0; i < text.length(); ) {
      int c = Character.codePointAt(text, i);
      if (Character.isLowerCase(c) || Character.isTitleCase(c)) {
        return false;
      }
      if (Character.isUpperCase(c)) {
        cased = true;
      }
      i += Character.charCount(c);
    }
    return cased;
  }

  /** Snowball English (Porter2, Snowball 3.1), as PyStemmer's "english". */
  public String stemEnglish(String word) {
    return english.stem(word);
  }
}
