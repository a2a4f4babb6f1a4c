package org.bgsearch.lucene;

import java.util.regex.Pattern;

/**
 * The tokenizer's rules, the same as {@code bgsearch.analysis.tokenizer}: a token is a number
 * ({@code \d+(?:[.,]\d+)*}) or a word ({@code [^\W\d_]+(?:[INNER]+[^\W\d_]*)*}, letters with
 * stress marks, soft hyphens and zero-width characters inside); tokens longer than
 * {@link #MAX_TOKEN_LENGTH} code points are skipped, and so is a numeral ending written after a
 * digit and a hyphen ({@code 123-мата}) and an ending written after an acronym in capitals and a
 * hyphen ({@code САЩ-ската}, {@code НАТО-вските}, {@code ЕС-то}; not {@code ДНК-анализ}). Skipped
 * tokens take no position.
 *
 * <p>Character classes follow Python's {@code re} module: a "letter" ({@code [^\W\d_]}) is any
 * character of the Unicode categories L*, Nl or No; a digit ({@code \d}) is category Nd.
 *
 * <p>Pure: no Lucene types. Offsets are UTF-16 indexes into the scanned text.
 */
public final class BulgarianTokenScanner {

  /** Longer runs of letters are not words (base64, hashes, glued-together junk). */
  public static final int MAX_TOKEN_LENGTH = 64;

  /** Endings written after a numeral: 5-ти, 1-ви, 2-ри, 7-ми, 3-ма, 123-мата, 20-те, 5-тия. */
  private static final Pattern NUMBER_SUFFIX = Pattern.compile(
      "(?:ма|мина)(?:та)?|(?:ви|ри|ми|ти)(?:я|ят|те)?|т[аое]|ия|ият|[аия]",
      Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

  /**
   * Endings written after an acronym: the -ски adjective (САЩ-ската, НАТО-вските, ЕС-овски), the
   * article and the plural (ЕС-то, ДПС-а, ЧЕЗ-ът, ВиК-ове), -ец / -ци (ДПС-ци).
   */
  private static final Pattern ACRONYM_SUFFIX = Pattern.compile(
      "(?:[оеи]?в)?(?:ск|шк)(?:и|а|о|ите|ата|ото|ия|ият)|(?:ов|ев)(?:е|ете)?|"
          + "т[аое]|ът|ите|ове|овете|[аия]|ят|ият|ец|ци|ците",
      Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

  /** An ending is glued to an acronym of at most this many letters (code points). */
  private static final int MAX_ACRONYM = 6;

  /**
   * Characters outside category Nd for which Python's {@code str.isdigit()} is true
   * (Numeric_Type=Digit: superscripts, subscripts, circled digits...), as inclusive ranges.
   */
  private static final int[] OTHER_DIGITS = {
    0xB2, 0xB3, 0xB9, 0xB9, 0x1369, 0x1371, 0x19DA, 0x19DA, 0x2070, 0x2070, 0x2074, 0x2079,
    0x2080, 0x2089, 0x2460, 0x2468, 0x2474, 0x247C, 0x2488, 0x2490, 0x24EA, 0x24EA, 0x24F5, 0x24FD,
    0x24FF, 0x24FF, 0x2776, 0x277E, 0x2780, 0x2788, 0x278A, 0x2792, 0x10A40, 0x10A43, 0x10E60,
    0x10E68, 0x11052, 0x1105A, 0x1F100, 0x1F10A
  };

  private final CharSequence text;
  private final int length;
  private int pos;
  private int start;
  private int end;

  public BulgarianTokenScanner(CharSequence text) {
    this.text = text;
    this.length = text.length();
  }

  /** Python's {@code \d}: a Unicode decimal digit (category Nd). */
  public static boolean isDigit(int c) {
    return Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER;
  }

  /** Python's {@code [^\W\d_]}: categories Lu, Ll, Lt, Lm, Lo, Nl, No. */
  public static boolean isLetter(int c) {
    switch (Character.getType(c)) {
      case Character.UPPERCASE_LETTER:
      case Character.LOWERCASE_LETTER:
      case Character.TITLECASE_LETTER:
      case Character.MODIFIER_LETTER:
      case Character.OTHER_LETTER:
      case Character.LETTER_NUMBER:
      case Character.OTHER_NUMBER:
        return true;
      default:
        return false;
    }
  }

  /** Marks that may sit inside a word: combining diacritics, soft hyphen, zero-width characters. */
  public static boolean isInner(int c) {
    return (c >= 0x0300 && c <= 0x036F) || c == 0x00AD || (c >= 0x200B && c <= 0x200D)
        || c == 0x2060 || c == 0xFEFF;
  }

  /** The hyphens after which a numeral ending is not a word: -, U+2010, U+2011. */
  public static boolean isHyphen(int c) {
    return c == '-' || c == 0x2010 || c == 0x2011;
  }

  /** Python's {@code str.isupper()} for one character (Unicode's Uppercase, not Lowercase nor Lt). */
  public static boolean isUpper(int c) {
    return Character.isUpperCase(c) && !Character.isLowerCase(c) && !Character.isTitleCase(c);
  }

  /** Python's {@code str.isdigit()} for one character. */
  public static boolean isPythonDigit(int c) {
    if (isDigit(c)) {
      return true;
    }
    for (int i = 0; i < OTHER_DIGITS.length; i += 2) {
      if (c >= OTHER_DIGITS[i] && c <= OTHER_DIGITS[i + 1]) {
        return true;
      }
    }
    return false;
  }

  /** Advances to the next emitted token; false at the end of the text. */
  public boolean next() {
    while (findMatch()) {
      if (!skipped(start, end)) {
        return true;
      }
    }
    return false;
  }

  /** Advances to the next token the pattern matches, skipped ones (too long, numeral endings) included. */
  public boolean nextMatch() {
    return findMatch();
  }

  /** Start (UTF-16 index) of the current token. */
  public int start() {
    return start;
  }

  /** End (UTF-16 index, exclusive) of the current token. */
  public int end() {
    return end;
  }

  /** Finds the next regex match (emitted or not) at or after {@code pos}. */
  private boolean findMatch() {
    int i = pos;
    while (i < length) {
      int c = Character.codePointAt(text, i);
      if (isDigit(c)) {
        start = i;
        i = skipDigits(i);
        while (i + 1 < length && (text.charAt(i) == '.' || text.charAt(i) == ',')
            && isDigit(Character.codePointAt(text, i + 1))) {
          i = skipDigits(i + 1);
        }
        end = pos = i;
        return true;
      }
      if (isLetter(c)) {
        start = i;
        i = skipLetters(i);
        while (i < length && isInner(Character.codePointAt(text, i))) {
          while (i < length && isInner(Character.codePointAt(text, i))) {
            i += Character.charCount(Character.codePointAt(text, i));
          }
          i = skipLetters(i);
        }
        end = pos = i;
        return true;
      }
      i += Character.charCount(c);
    }
    pos = length;
    return false;
  }

  private int skipDigits(int i) {
    while (i < length) {
      int c = Character.codePointAt(text, i);
      if (!isDigit(c)) {
        break;
      }
      i += Character.charCount(c);
    }
    return i;
  }

  private int skipLetters(int i) {
    while (i < length) {
      int c = Character.codePointAt(text, i);
      if (!isLetter(c)) {
        break;
      }
      i += Character.charCount(c);
    }
    return i;
  }

  /**
   * Whether the current token (emitted or not) is an ending glued with a hyphen to an acronym in
   * capitals ({@code САЩ-ската}): such a token is skipped.
   */
  public boolean isAcronymEnding() {
    return start >= 2 && isHyphen(text.charAt(start - 1))
        && !isPythonDigit(Character.codePointBefore(text, start - 1)) && acronymEnding(start, end);
  }

  /** The token s..e follows a hyphen after a non-digit: is it an ending glued to an acronym? */
  private boolean acronymEnding(int s, int e) {
    if (!isUpper(Character.codePointBefore(text, s - 1))) {
      return false;
    }
    // The acronym: the letters (Python's str.isalpha) right before the hyphen.
    int head = s - 1;
    int letters = 0;
    int upper = 0;
    while (head > 0) {
      int c = Character.codePointBefore(text, head);
      if (!Character.isLetter(c)) {
        break;
      }
      letters++;
      if (isUpper(c)) {
        upper++;
      }
      head -= Character.charCount(c);
    }
    return letters >= 2 && letters <= MAX_ACRONYM && upper >= 2
        && ACRONYM_SUFFIX.matcher(text.subSequence(s, e)).matches();
  }

  private boolean skipped(int s, int e) {
    if (Character.codePointCount(text, s, e) > MAX_TOKEN_LENGTH) {
      return true;
    }
    // An ending glued with a hyphen to the number or acronym just before it.
    if (s >= 2 && isHyphen(text.charAt(s - 1))) {
      int beforeHyphen = Character.codePointBefore(text, s - 1);
      if (isPythonDigit(beforeHyphen)) {
        return NUMBER_SUFFIX.matcher(text.subSequence(s, e)).matches();
      }
      return acronymEnding(s, e);
    }
    return false;
  }
}
