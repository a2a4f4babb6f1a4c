package org.bgsearch.lucene;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * bgsearch's Bulgarian stemmer, the same function as {@code bgsearch.analysis.stemmer.BulgarianStemmer.stem}:
 * a dictionary form the suffix rules get wrong is looked up in the exceptions; any other word is
 * stemmed by the longest suffix that has a rule, unless that key is not a dictionary key and a
 * shorter suffix's rule gives a longer dictionary key (or one as long, when the longest rule left the
 * word unchanged); a key no dictionary word has then loses a possessive -ов/-ев when the word's ending
 * is one only the possessive adjective has and the name left is no dictionary key either.
 *
 * <p>Reads {@code stemmer-rules.tsv.gz}, the file the Python package ships (R/X/K lines), from the
 * classpath; {@link #isKnown} reads {@code stemmer-known.txt.gz} (the dictionary forms) on its first
 * call only. Input: one normalized word of the letters а-я. Pure: no Lucene types; thread-safe.
 */
public final class BulgarianStemmer {

  /** Unknown words this short are returned unchanged. */
  public static final int MIN_RULE_LEN = 4;
  /** A rule never leaves fewer letters than this before adding its replacement. */
  public static final int MIN_STEM = 2;
  private static final String[] DERIVATIONAL = {"ов", "ев"};
  /** Endings only the possessive adjective has (not the surname's -ов, -ова, -ови). */
  private static final Set<String> POSSESSIVE_ONLY = Set.of("о", "ия", "ият", "ата", "ото", "ите");
  private static final int MIN_DERIVED_BASE = 3;

  private static final String RULES_RESOURCE = "data/stemmer-rules.tsv.gz";
  private static final String KNOWN_RESOURCE = "data/stemmer-known.txt.gz";

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

  /** The dictionary forms, loaded on first use of {@link #isKnown}. */
  private static final class KnownHolder {
    static final Set<String> KNOWN = loadKnown();
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
    Map<String, Rule> rules = new HashMap<>();
    Map<String, String> exceptions = new HashMap<>();
    Set<String> keys = new HashSet<>();
    readLines(RULES_RESOURCE, line -> parseLine(line, rules, exceptions, keys));
    return new BulgarianStemmer(rules, exceptions, keys);
  }

  private static Set<String> loadKnown() {
    Set<String> known = new HashSet<>(400_000);
    readLines(KNOWN_RESOURCE, line -> {
      if (!line.isEmpty()) {
        known.add(line);
      }
    });
    return Collections.unmodifiableSet(known);
  }

  /** Calls {@code sink} with each line of a gzipped UTF-8 resource. */
  private static void readLines(String resource, Consumer<String> sink) {
    try (InputStream raw = BulgarianStemmer.class.getResourceAsStream(resource)) {
      if (raw == null) {
        throw new IllegalStateException(resource + " missing from the classpath");
      }
      BufferedReader reader =
          new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
      int c;
      StringBuilder line = new StringBuilder();
      // Lines end at '\n' only (Python splits on "\n"), so read by hand rather than readLine().
      while (true) {
        c = reader.read();
        if (c == '\n' || c < 0) {
          sink.accept(line.toString());
          line.setLength(0);
          if (c < 0) {
            break;
          }
        } else {
          line.append((char) c);
        }
      }
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

  /**
   * True when {@code word} is a dictionary form ({@code BulgarianStemmer.is_known}); the forms list
   * loads on the first call.
   */
  public boolean isKnown(String word) {
    return KnownHolder.KNOWN.contains(word);
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
      } else if ((guess.length() > key.length() || (key.equals(word) && guess.length() == n))
          && keys.contains(guess)) {
        return guess; // (key is not a dictionary key here)
      }
    }
    if (key == null) {
      key = word;
    }
    if (!keys.contains(key) && key.length() <= n && POSSESSIVE_ONLY.contains(word.substring(key.length()))) {
      for (String suffix : DERIVATIONAL) {
        if (key.endsWith(suffix)) {
          String base = key.substring(0, key.length() - suffix.length());
          if (base.length() >= MIN_DERIVED_BASE && !keys.contains(base)) {
            return base;
          }
        }
      }
    }
    return key;
  }
}
