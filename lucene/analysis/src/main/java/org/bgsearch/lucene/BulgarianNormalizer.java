package org.bgsearch.lucene;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Token normalization, the same function as {@code bgsearch.analysis.normalize_word}: lower case,
 * deletion of stress marks / soft hyphens / zero-width characters, NFC, modern letters for
 * pre-1945 and variant ones ({@code ѝ ѐ ѫ ѭ і}, the yat rule), Latin/Cyrillic look-alikes folded to
 * the script of the majority, and a silent final {@code ъ} dropped.
 *
 * <p>Works on one token (a word) at a time. Pure: no Lucene types.
 */
public final class BulgarianNormalizer {

  private BulgarianNormalizer() {}

  /** Latin letters that look like Cyrillic ones, and those Cyrillic ones (same order). */
  private static final String LATIN_LOOKALIKES = "aeopcyxkmhtbi";
  private static final String CYRILLIC_LOOKALIKES = "аеорсухкмнтви";
  /** Only these Cyrillic letters are folded to Latin inside mostly-Latin words. */
  private static final String CYRILLIC_TO_LATIN_SOURCES = "аеорсух";

  /** ѣ becomes я before a syllable with a back vowel or at the end of the word, е otherwise. */
  private static final Pattern YAT_BEFORE_BACK_VOWEL =
      Pattern.compile("ѣ(?=[^аъоуеиюяѣ]*(?:[аъоу]|\\n?\\z))");

  /** Characters deleted inside a word (stress marks, soft hyphen, zero-width characters). */
  static boolean isDeleted(int c) {
    switch (c) {
      case 0x0300:
      case 0x0301:
      case 0x0340:
      case 0x0341:
      case 0x00AD:
      case 0x200B:
      case 0x200C:
      case 0x200D:
      case 0x2060:
      case 0xFEFF:
        return true;
      default:
        return false;
    }
  }

  /** The letter table (after lower-casing); returns the character itself when not listed. */
  private static char replaceLetter(char c) {
    switch (c) {
      case 'ѝ':
        return 'и';
      case 'ѐ':
        return 'е';
      case 'ѫ':
        return 'ъ';
      case 'ѭ':
        return 'ю';
      case 'і':
        return 'и';
      default:
        return c;
    }
  }

  /** Returns the canonical lower-case spelling of one token. */
  public static String normalize(String token) {
    String word = lowerCase(token);
    if (isAscii(word)) {
      return word;
    }
    // Marks go before composing: и + U+0301 + U+0306 must end up as й.
    word = Normalizer.normalize(translate(word), Normalizer.Form.NFC);
    if (word.indexOf('ѣ') >= 0) {
      word = YAT_BEFORE_BACK_VOWEL.matcher(word).replaceAll("я").replace('ѣ', 'е');
    }
    int cyrillic = 0;
    int latin = 0;
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (c >= '\u0430' && c <= '\u04ff') {
        cyrillic++;
      } else if (c >= 'a' && c <= 'z') {
        latin++;
      }
    }
    if (cyrillic > 0 && latin > 0) {
      word = Normalizer.normalize(
          cyrillic >= latin ? fold(word, LATIN_LOOKALIKES, CYRILLIC_LOOKALIKES) : foldToLatin(word),
          Normalizer.Form.NFC);
    }
    if (word.endsWith("ъ")) {
      word = dropFinalHardSign(word);
    }
    return word;
  }

  /**
   * Python's {@code str.lower()}: full lower-case mapping without locale (as Java's with
   * {@link Locale#ROOT}), and Σ becomes final ς by Unicode's Final_Sigma rule exactly as Python
   * applies it (a cased letter, then only case-ignorable characters, before it; no cased letter
   * after the case-ignorable characters that follow it). Java's own rule looks for cased letters
   * anywhere within the word instead, which differs when, say, a digit-like letter stands between.
   */
  public static String lowerCase(String s) {
    int sigma = s.indexOf('\u03A3');
    if (sigma < 0) {
      return s.toLowerCase(Locale.ROOT);
    }
    StringBuilder out = new StringBuilder(s.length());
    int from = 0;
    while (sigma >= 0) {
      out.append(s.substring(from, sigma).toLowerCase(Locale.ROOT));
      out.append(isFinalSigma(s, sigma) ? '\u03C2' : '\u03C3');
      from = sigma + 1;
      sigma = s.indexOf('\u03A3', from);
    }
    out.append(s.substring(from).toLowerCase(Locale.ROOT));
    return out.toString();
  }

  private static boolean isFinalSigma(String s, int index) {
    int i = index;
    int c = 0;
    boolean found = false;
    while (i > 0) {
      c = s.codePointBefore(i);
      i -= Character.charCount(c);
      if (!isCaseIgnorable(c)) {
        found = true;
        break;
      }
    }
    if (!found || !isCased(c)) {
      return false;
    }
    for (int j = index + 1; j < s.length(); ) {
      c = s.codePointAt(j);
      if (!isCaseIgnorable(c)) {
        return !isCased(c);
      }
      j += Character.charCount(c);
    }
    return true;
  }

  /** Unicode's Cased property: Lowercase, Uppercase or Lt. */
  static boolean isCased(int c) {
    return Character.isLowerCase(c) || Character.isUpperCase(c) || Character.isTitleCase(c);
  }

  /** Unicode's Case_Ignorable: Mn, Me, Cf, Lm, Sk, or Word_Break MidLetter, MidNumLet, Single_Quote. */
  static boolean isCaseIgnorable(int c) {
    switch (Character.getType(c)) {
      case Character.NON_SPACING_MARK:
      case Character.ENCLOSING_MARK:
      case Character.FORMAT:
      case Character.MODIFIER_LETTER:
      case Character.MODIFIER_SYMBOL:
        return true;
      default:
        break;
    }
    switch (c) {
      case 0x0027: // Single_Quote
      case 0x002E: case 0x2018: case 0x2019: case 0x2024: case 0xFE52: case 0xFF07: case 0xFF0E: // MidNumLet
      case 0x003A: case 0x00B7: case 0x0387: case 0x055F: case 0x05F4: case 0x2027: case 0xFE13: case 0xFE55:
      case 0xFF1A: // MidLetter
        return true;
      default:
        return false;
    }
  }

  /** True for a normalized word made only of the 30 letters of the modern Bulgarian alphabet (а-я). */
  public static boolean isCyrillicWord(CharSequence word) {
    int n = word.length();
    if (n == 0) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = word.charAt(i);
      if (c < 'а' || c > 'я') {
        return false;
      }
    }
    return true;
  }

  /** True for a non-empty word of ASCII letters only (Python: {@code isascii() and isalpha()}). */
  public static boolean isAsciiAlphabetic(CharSequence word) {
    int n = word.length();
    if (n == 0) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = word.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static String translate(String word) {
    StringBuilder out = new StringBuilder(word.length());
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (!isDeleted(c)) { // every deleted character is in the BMP
        out.append(replaceLetter(c));
      }
    }
    return out.toString();
  }

  private static String fold(String word, String from, String to) {
    StringBuilder out = new StringBuilder(word.length());
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      int k = from.indexOf(c);
      out.append(k >= 0 ? to.charAt(k) : c);
    }
    return out.toString();
  }

  private static String foldToLatin(String word) {
    StringBuilder out = new StringBuilder(word.length());
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      int k = CYRILLIC_TO_LATIN_SOURCES.indexOf(c);
      out.append(k >= 0 ? LATIN_LOOKALIKES.charAt(CYRILLIC_LOOKALIKES.indexOf(c)) : c);
    }
    return out.toString();
  }

  /**
   * Pre-1945 spelling wrote a silent ъ after a final consonant (градъ); modern Bulgarian never ends
   * a word with ъ after a consonant. Lengths count code points, as Python's do.
   */
  private static String dropFinalHardSign(String word) {
    int n = word.length();
    if (word.codePointCount(0, n) > 2 && word.charAt(n - 1) == 'ъ') {
      int before = word.codePointBefore(n - 1);
      if ("аъоуеиюя".indexOf(before) < 0) {
        return word.substring(0, n - 1);
      }
    }
    return word;
  }

}
