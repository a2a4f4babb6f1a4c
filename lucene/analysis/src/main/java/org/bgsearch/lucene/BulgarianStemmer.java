package org.bgsearch.lucene;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * bgsearch's Bulgarian stemmer, the same function as {@code bgsearch.analysis.stemmer.BulgarianStemmer.stem}:
 * a dictionary form the suffix rules get wrong is looked up in the exceptions; any other word is
 * stemmed by the longest suffix that has a rule, unless a shorter suffix's rule gives a longer key
 * that is a dictionary key; a key no dictionary word has then loses a possessive -ов/-ев.
 *
 * <p>Reads {@code stemmer-rules.tsv.gz}, the file the Python package ships (R/X/K lines), from the
 * classpath. Input: one normalized word of the letters а-я. Pure: no Lucene types; thread-safe.
 */
public final class BulgarianStemmer {

  /** Unknown words this short are returned unchanged. */
  public static final int MIN_RULE_LEN = 4;
  /** A rule never leaves fewer letters than this before adding its replacement. */
  public static final int MIN_STEM = 2;
  private static final String[] DERIVATIONAL = {"ов", "ев"};
  private static final int MIN_DERIVED_BASE = 3;

  private static final String RULES_RESOURCE = "data/stemmer-rules.tsv.gz";

  private final Map<String, Rule> rules;
  private final Map<String, String> exceptions;
  private final Set<String> keys;
  private final int maxSuffix;

  private static final class Rule {
    final int strip;
    final String add;

    Rule(int strip, String add) {
      this.strip = strip;
      this.add = add;
    }
  }

  private static final class Holder {
    static final BulgarianStemmer INSTANCE = load();
  }

  /** The stemmer with the data shipped with bgsearch (loaded once, on first use). */
  public static BulgarianStemmer getInstance() {
    return Holder.INSTANCE;
  }

  private BulgarianStemmer(Map<String, Rule> rules, Map<String, String> exceptions, Set<String> keys) {
    this.rules = rules;
    this.exceptions = exceptions;
    this.keys = keys;
    int max = 0;
    for (String suffix : rules.keySet()) {
      max = Math.max(max, suffix.length());
    }
    this.maxSuffix = max;
  }

  private static BulgarianStemmer load() {
    try (InputStream raw = BulgarianStemmer.class.getResourceAsStream(RULES_RESOURCE)) {
      if (raw == null) {
        throw new IllegalStateException(RULES_RESOURCE + " missing from the classpath");
      }
      BufferedReader reader =
          new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
      Map<String, Rule> rules = new HashMap<>();
      Map<String, String> exceptions = new HashMap<>();
      Set<String> keys = new HashSet<>();
      int c;
      StringBuilder line = new StringBuilder();
      // Lines end at '\n' only (Python splits on "\n"), so read by hand rather than readLine().
      while (true) {
        c = reader.read();
        if (c == '\n' || c < 0) {
          parseLine(line.toString(), rules, exceptions, keys);
          line.setLength(0);
          if (c < 0) {
            break;
          }
        } else {
          line.append((char) c);
        }
      }
      return new BulgarianStemmer(rules, exceptions, keys);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void parseLine(
      String line, Map<String, Rule> rules, Map<String, String> exceptions, Set<String> keys) {
    if (line.isEmpty() || line.charAt(0) == '#') {
      return;
    }
    String[] parts = line.split("\t", -1);
    switch (parts[0]) {
      case "R":
        rules.put(parts[1], new Rule(Integer.parseInt(parts[2].trim()), parts[3]));
        break;
      case "X":
        exceptions.put(parts[1], parts[2]);
        break;
      case "K":
        keys.add(parts[1]);
        break;
      default:
        break;
    }
  }

  /** The index term of one word of the letters а-я. */
  public String stem(String word) {
    String term = exceptions.get(word);
    return term != null ? term : ruleStem(word);
  }

  /** True when {@code key} is the key of a dictionary word. */
  public boolean isKey(String key) {
    return keys.contains(key);
  }

  /** Stems by the rules alone (no exception lookup). */
  public String ruleStem(String word) {
    int n = word.length();
    if (n < MIN_RULE_LEN) {
      return word;
    }
    String key = null;
    for (int length = Math.min(n, maxSuffix); length >= 0; length--) {
      Rule rule = rules.get(word.substring(n - length));
      if (rule == null || n - rule.strip < MIN_STEM) {
        continue;
      }
      String guess = word.substring(0, n - rule.strip) + rule.add;
      if (key == null) {
        key = guess;
        if (keys.contains(guess)) {
          break;
        }
      } else if (guess.length() > key.length() && keys.contains(guess)) {
        return guess;
      }
    }
    if (key == null) {
      key = word;
    }
    if (!keys.contains(key)) {
      for (String suffix : DERIVATIONAL) {
        if (key.endsWith(suffix) && key.length() - suffix.length() >= MIN_DERIVED_BASE) {
          return key.substring(0, key.length() - suffix.length());
        }
      }
    }
    return key;
  }
}
