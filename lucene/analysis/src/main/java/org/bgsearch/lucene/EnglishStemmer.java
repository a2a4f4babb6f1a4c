package org.bgsearch.lucene;

import java.util.Map;

/**
 * The Snowball English ("Porter2") stemmer as of Snowball 3.1, the version PyStemmer 3.x runs, for
 * words of the letters a-z (bgsearch stems only ASCII alphabetic words with it).
 *
 * <p>Lucene 9's {@code org.tartarus.snowball.ext.EnglishStemmer} is Snowball 2.x: it conflates
 * words that Snowball 3 keeps apart (university/universe, international/intern, added/ad,
 * evening/even, geologist/geology...), so bgsearch carries its own implementation of the current
 * algorithm, written from its published definition. Pure Java; not thread-safe (reuses a buffer).
 */
public final class EnglishStemmer {

  /** Whole words with a fixed stem ({@code exception1}). */
  private static final Map<String, String> EXCEPTIONS = Map.ofEntries(
      Map.entry("skis", "ski"), Map.entry("skies", "sky"), Map.entry("idly", "idl"),
      Map.entry("gently", "gentl"), Map.entry("ugly", "ugli"), Map.entry("early", "earli"),
      Map.entry("only", "onli"), Map.entry("singly", "singl"), Map.entry("sky", "sky"),
      Map.entry("news", "news"), Map.entry("howe", "howe"), Map.entry("atlas", "atlas"),
      Map.entry("cosmos", "cosmos"), Map.entry("bias", "bias"), Map.entry("andes", "andes"));

  /** Prefixes after which region R1 starts ({@code mark_regions}). */
  private static final String[] R1_PREFIXES = {
    "gener", "commun", "arsen", "past", "univers", "later", "emerg", "organ", "inter"
  };

  private static final String[][] STEP2 = {
    {"tional", "tion"}, {"enci", "ence"}, {"anci", "ance"}, {"abli", "able"}, {"entli", "ent"},
    {"izer", "ize"}, {"ization", "ize"}, {"ational", "ate"}, {"ation", "ate"}, {"ator", "ate"},
    {"alism", "al"}, {"aliti", "al"}, {"alli", "al"}, {"fulness", "ful"}, {"ousli", "ous"},
    {"ousness", "ous"}, {"iveness", "ive"}, {"iviti", "ive"}, {"biliti", "ble"}, {"bli", "ble"},
    {"ogist", "og"}, {"ogi", null}, {"fulli", "ful"}, {"lessli", "less"}, {"li", null}
  };

  private static final String[][] STEP3 = {
    {"tional", "tion"}, {"ational", "ate"}, {"alize", "al"}, {"icate", "ic"}, {"iciti", "ic"},
    {"ical", "ic"}, {"ful", ""}, {"ness", ""}, {"ative", null}
  };

  private static final String[] STEP4 = {
    "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism", "ate",
    "iti", "ous", "ive", "ize", "ion"
  };

  private static final String[] STEP1B = {"eed", "eedly", "ed", "edly", "ingly", "ing"};
  private static final String[] ING_EXCEPTIONS = {"inn", "out", "cann", "herr", "earr", "even"};
  private static final String[] DOUBLES = {"bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"};

  private final StringBuilder w = new StringBuilder();
  private int p1;
  private int p2;

  /** Stems one lower-case word. */
  public String stem(String word) {
    String fixed = EXCEPTIONS.get(word);
    if (fixed != null) {
      return fixed;
    }
    if (word.length() < 3) {
      return word;
    }
    w.setLength(0);
    w.append(word);
    boolean yFound = prelude();
    markRegions();
    step1a();
    step1b();
    step1c();
    step2();
    step3();
    step4();
    step5();
    if (yFound) {
      for (int i = 0; i < w.length(); i++) {
        if (w.charAt(i) == 'Y') {
          w.setCharAt(i, 'y');
        }
      }
    }
    return w.toString();
  }

  private static boolean isVowel(char c) {
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
  }

  private static boolean isVowelWXY(char c) {
    return isVowel(c) || c == 'w' || c == 'x' || c == 'Y';
  }

  private static boolean isValidLi(char c) {
    return "cdeghkmnrt".indexOf(c) >= 0;
  }

  /** An initial y, and a y after a vowel, become consonants (Y). */
  private boolean prelude() {
    boolean found = false;
    if (w.charAt(0) == 'y') {
      w.setCharAt(0, 'Y');
      found = true;
    }
    for (int i = 1; i < w.length(); i++) {
      if (w.charAt(i) == 'y' && isVowel(w.charAt(i - 1))) {
        w.setCharAt(i, 'Y');
        found = true;
      }
    }
    return found;
  }

  /** Position just past the first non-vowel that follows a vowel at or after {@code from}, or -1. */
  private int pastVowelConsonant(int from) {
    int i = from;
    int n = w.length();
    while (i < n && !isVowel(w.charAt(i))) {
      i++;
    }
    if (i >= n) {
      return -1;
    }
    i++;
    while (i < n && isVowel(w.charAt(i))) {
      i++;
    }
    return i >= n ? -1 : i + 1;
  }

  private void markRegions() {
    int n = w.length();
    p1 = n;
    p2 = n;
    int r1 = -1;
    for (String prefix : R1_PREFIXES) {
      if (startsWith(prefix)) {
        r1 = prefix.length();
        break;
      }
    }
    if (r1 < 0) {
      r1 = pastVowelConsonant(0);
      if (r1 < 0) {
        return;
      }
    }
    p1 = r1;
    int r2 = pastVowelConsonant(r1);
    if (r2 >= 0) {
      p2 = r2;
    }
  }

  private boolean startsWith(String prefix) {
    return w.length() >= prefix.length() && w.substring(0, prefix.length()).equals(prefix);
  }

  private boolean endsWith(String suffix) {
    int n = w.length();
    int k = suffix.length();
    if (k > n) {
      return false;
    }
    for (int i = 0; i < k; i++) {
      if (w.charAt(n - k + i) != suffix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The longest of {@code suffixes} the word (up to {@code end}) ends with, or null. */
  private String longestSuffix(String[] suffixes) {
    String best = null;
    for (String s : suffixes) {
      if ((best == null || s.length() > best.length()) && endsWith(s)) {
        best = s;
      }
    }
    return best;
  }

  private int longestSuffixIndex(String[][] table) {
    int best = -1;
    for (int i = 0; i < table.length; i++) {
      String s = table[i][0];
      if ((best < 0 || s.length() > table[best][0].length()) && endsWith(s)) {
        best = i;
      }
    }
    return best;
  }

  private void replaceEnd(int length, String with) {
    w.setLength(w.length() - length);
    w.append(with);
  }

  /** Short syllable ending at {@code c} (exclusive). */
  private boolean shortSyllable(int c) {
    if (c >= 3 && !isVowelWXY(w.charAt(c - 1)) && isVowel(w.charAt(c - 2)) && !isVowel(w.charAt(c - 3))) {
      return true;
    }
    if (c == 2 && !isVowel(w.charAt(1)) && isVowel(w.charAt(0))) {
      return true;
    }
    return c >= 4 && w.substring(c - 4, c).equals("past");
  }

  private boolean hasVowelBefore(int end) {
    for (int i = end - 1; i >= 0; i--) {
      if (isVowel(w.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private void step1a() {
    int n = w.length();
    if (endsWith("sses")) {
      replaceEnd(4, "ss");
    } else if (endsWith("ied") || endsWith("ies")) {
      replaceEnd(3, n - 3 >= 2 ? "i" : "ie");
    } else if (endsWith("us") || endsWith("ss")) {
      return;
    } else if (endsWith("s")) {
      // Delete the s when a vowel precedes the letter just before it.
      if (n >= 2 && hasVowelBefore(n - 2)) {
        w.setLength(n - 1);
      }
    }
  }

  private void step1b() {
    String suffix = longestSuffix(STEP1B);
    int n = w.length();
    if (suffix == null) {
      return;
    }
    int start = n - suffix.length();
    if (suffix.equals("eed") || suffix.equals("eedly")) {
      if (start >= p1) {
        String before = w.substring(0, start);
        if (!(before.equals("proc") || before.equals("exc") || before.equals("succ"))) {
          replaceEnd(suffix.length(), "ee");
        }
      }
      return;
    }
    if (suffix.equals("ing")) {
      // dying -> die, lying -> lie, tying -> tie, vying -> vie
      if (start == 2 && w.charAt(1) == 'y' && !isVowel(w.charAt(0))) {
        replaceEnd(4, "ie");
        return;
      }
      String exception = null;
      for (String e : ING_EXCEPTIONS) {
        if (w.substring(0, start).endsWith(e)) {
          exception = e;
          break;
        }
      }
      if (exception != null && exception.length() == start) {
        return; // inning, outing, canning, herring, earring, evening: left alone
      }
    }
    // ed, edly, ing, ingly: deleted when a vowel precedes them.
    if (!hasVowelBefore(start)) {
      return;
    }
    w.setLength(start);
    if (endsWith("at") || endsWith("bl") || endsWith("iz")) {
      w.append('e');
      return;
    }
    String dbl = longestSuffix(DOUBLES);
    if (dbl != null) {
      int len = w.length();
      boolean aeoWord = len == 3 && "aeo".indexOf(w.charAt(0)) >= 0;
      if (!aeoWord) {
        w.setLength(len - 1);
      }
      return;
    }
    if (w.length() == p1 && shortSyllable(w.length())) {
      w.append('e');
    }
  }

  private void step1c() {
    int n = w.length();
    if (n >= 3) {
      char last = w.charAt(n - 1);
      if ((last == 'y' || last == 'Y') && !isVowel(w.charAt(n - 2))) {
        w.setCharAt(n - 1, 'i');
      }
    }
  }

  private void step2() {
    int i = longestSuffixIndex(STEP2);
    if (i < 0) {
      return;
    }
    String suffix = STEP2[i][0];
    int start = w.length() - suffix.length();
    if (start < p1) {
      return;
    }
    if (suffix.equals("ogi")) {
      if (start >= 1 && w.charAt(start - 1) == 'l') {
        replaceEnd(3, "og");
      }
    } else if (suffix.equals("li")) {
      if (start >= 1 && isValidLi(w.charAt(start - 1))) {
        w.setLength(start);
      }
    } else {
      replaceEnd(suffix.length(), STEP2[i][1]);
    }
  }

  private void step3() {
    int i = longestSuffixIndex(STEP3);
    if (i < 0) {
      return;
    }
    String suffix = STEP3[i][0];
    int start = w.length() - suffix.length();
    if (start < p1) {
      return;
    }
    if (suffix.equals("ative")) {
      if (start >= p2) {
        w.setLength(start);
      }
    } else {
      replaceEnd(suffix.length(), STEP3[i][1]);
    }
  }

  private void step4() {
    String suffix = longestSuffix(STEP4);
    if (suffix == null) {
      return;
    }
    int start = w.length() - suffix.length();
    if (start < p2) {
      return;
    }
    if (suffix.equals("ion")) {
      if (start >= 1 && (w.charAt(start - 1) == 's' || w.charAt(start - 1) == 't')) {
        w.setLength(start);
      }
    } else {
      w.setLength(start);
    }
  }

  private void step5() {
    int n = w.length();
    if (n == 0) {
      return;
    }
    char last = w.charAt(n - 1);
    int start = n - 1;
    if (last == 'e') {
      if (start >= p2 || (start >= p1 && !shortSyllable(start))) {
        w.setLength(start);
      }
    } else if (last == 'l') {
      if (start >= p2 && start >= 1 && w.charAt(start - 1) == 'l') {
        w.setLength(start);
      }
    }
  }
}
