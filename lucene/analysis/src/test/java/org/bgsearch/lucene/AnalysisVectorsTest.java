package org.bgsearch.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compares the Java analysis with the vectors the Python package wrote
 * (tools/write_analysis_vectors.py; directory in system property {@code vectors}). Any difference
 * fails, naming the first few.
 */
class AnalysisVectorsTest {

  private static final String NOT_ONE_TOKEN = "\0";
  private static Path dir;

  @BeforeAll
  static void vectors() {
    dir = Vectors.directory();
    assumeTrue(dir != null, "no -Dvectors=DIR given: vector tests skipped");
  }

  @Test
  void analyzerVersionIsPythons() throws IOException {
    Map<String, String> meta = Vectors.meta(dir);
    System.out.println("vectors: " + meta);
    assertEquals(meta.get("analyzer_version"), BulgarianAnalysis.VERSION,
        "analyzer version: Python's (vectors) vs Java's (lucene/pom.xml bgsearch.analyzer.version)");
  }

  @Test
  void words() throws IOException {
    BulgarianTerms terms = new BulgarianTerms();
    BulgarianStemmer stemmer = BulgarianStemmer.getInstance();
    Map<String, Differences> byClass = new java.util.LinkedHashMap<>();
    for (String[] f : Vectors.read(dir.resolve("words.tsv.gz"))) {
      String kind = f[0];
      String input = f[1];
      Differences d = byClass.computeIfAbsent(kind, k -> new Differences("words/" + k));
      String normalized = BulgarianNormalizer.normalize(input);
      d.check(normalized.equals(f[2]),
          () -> "normalize " + Vectors.show(input) + ": python " + Vectors.show(f[2]) + ", java " + Vectors.show(normalized));
      String term = oneToken(input) ? nullToEmpty(terms.term(input)) : NOT_ONE_TOKEN;
      d.check(term.equals(f[3]),
          () -> "term " + Vectors.show(input) + ": python " + Vectors.show(f[3]) + ", java " + Vectors.show(term));
      if (!f[4].isEmpty()) {
        String stem = stemmer.stem(f[2]);
        d.check(stem.equals(f[4]),
            () -> "stem " + Vectors.show(f[2]) + ": python " + Vectors.show(f[4]) + ", java " + Vectors.show(stem));
      }
    }
    assertTrue(byClass.containsKey("dictionary"), "no dictionary vectors");
    List<AssertionError> errors = new ArrayList<>();
    for (Differences d : byClass.values()) {
      try {
        d.assertNone();
      } catch (AssertionError e) {
        errors.add(e);
      }
    }
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
  }

  /**
   * Every code point Python (Unicode of its version) assigns: the tokenizer's character classes and
   * the normalization of the character alone. Code points the JDK's older Unicode does not know
   * are counted and skipped.
   */
  @Test
  void characters() throws IOException {
    Differences d = new Differences("chars");
    int unknownToJava = 0;
    int otherCategory = 0;
    for (String[] f : Vectors.read(dir.resolve("chars.tsv.gz"))) {
      int cp = Integer.parseInt(f[0], 16);
      if (!Character.isDefined(cp)) {
        unknownToJava++;
        continue;
      }
      if (!category(cp).equals(f[1])) {
        otherCategory++;
        System.out.printf("chars: U+%04X is %s in Python's Unicode, %s in Java's: skipped%n", cp, f[1], category(cp));
        continue;
      }
      String flags = (BulgarianTokenScanner.isLetter(cp) ? "L" : "") + (BulgarianTokenScanner.isDigit(cp) ? "D" : "")
          + (BulgarianTokenScanner.isPythonDigit(cp) ? "G" : "");
      d.check(flags.equals(f[2]), () -> String.format("U+%04X (%s): flags python %s, java %s", cp, f[1], f[2], flags));
      String ch = new String(Character.toChars(cp));
      String sigma = finalSigma(BulgarianNormalizer.lowerCase("A" + ch + "\u03A3"), true)
          + finalSigma(BulgarianNormalizer.lowerCase(ch + "\u03A3"), true)
          + finalSigma(BulgarianNormalizer.lowerCase("A\u03A3" + ch + "a"), false)
          + finalSigma(BulgarianNormalizer.lowerCase("A\u03A3" + ch), false);
      d.check(sigma.equals(f[4]), () -> String.format("U+%04X (%s): final sigma probes python %s, java %s", cp, f[1], f[4], sigma));
      String normalized = BulgarianNormalizer.normalize(ch);
      d.check(normalized.equals(f[3]), () -> String.format("U+%04X (%s): normalized python %s, java %s", cp, f[1],
          Vectors.show(f[3]), Vectors.show(normalized)));
    }
    System.out.printf("chars: %d code points assigned in Python's Unicode but not in Java %s's, %d of another"
        + " category: skipped%n", unknownToJava, System.getProperty("java.version"), otherCategory);
    d.assertNone();
  }

  /** Whole documents: raw tokens, the analyzer's terms, and the char filter's chain, with offsets and positions. */
  @Test
  void documents() throws IOException {
    Differences tokens = new Differences("documents/tokenizer");
    Differences analyzed = new Differences("documents/analyzer");
    Differences charFiltered = new Differences("documents/char filter chain");
    Differences charFilteredFuzz = new Differences("documents/char filter chain on random texts (not failed)");
    Analyzer analyzer = new BgsearchBulgarianAnalyzer();
    Analyzer tokenizerOnly = new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String field) {
        Tokenizer t = new BulgarianTokenizer();
        return new TokenStreamComponents(t);
      }
    };
    CharArraySet stop = new CharArraySet(BulgarianStopWords.defaultStopWords(), false);
    Analyzer charFilterChain = new Analyzer() {
      @Override
      protected Reader initReader(String field, Reader reader) {
        return new BulgarianNormalizeCharFilter(reader);
      }

      @Override
      protected TokenStreamComponents createComponents(String field) {
        Tokenizer t = new BulgarianTokenizer();
        return new TokenStreamComponents(t, new BulgarianStemFilter(new StopFilter(t, stop)));
      }
    };
    String name = null;
    String text = null;
    List<String> expected = new ArrayList<>();
    List<String> expectedTerms = new ArrayList<>();
    // The char filter chain's expected terms: Python's, except that the chain cannot see capitals,
    // so an acronym in capitals that bgsearch leaves unstemmed gets the stem filter's term.
    List<String> expectedChain = new ArrayList<>();
    BulgarianTerms chainTerms = new BulgarianTerms(java.util.Set.of(), true);
    int[] acronymsStemmedByChain = {0};
    List<String[]> rows = Vectors.read(dir.resolve("documents.tsv.gz"));
    rows.add(new String[] {"D", null, null});
    for (String[] f : rows) {
      if (f[0].equals("D")) {
        if (name != null) {
          String doc = name;
          List<String> gotTokens = run(tokenizerOnly, text);
          tokens.check(gotTokens.equals(expected), () -> diff(doc, expected, gotTokens));
          List<String> gotTerms = run(analyzer, text);
          analyzed.check(gotTerms.equals(expectedTerms), () -> diff(doc, expectedTerms, gotTerms));
          List<String> gotFiltered = run(charFilterChain, text);
          // The char filter changes the text the tokenizer's rules see (marks inside a numeral
          // ending, a 65-letter token with a stress mark): random texts hit that, natural ones
          // must not.
          (doc.startsWith("fuzz:") ? charFilteredFuzz : charFiltered)
              .check(gotFiltered.equals(expectedChain), () -> diff(doc, expectedChain, gotFiltered));
        }
        name = f[1];
        text = f[2];
        expected.clear();
        expectedTerms.clear();
        expectedChain.clear();
      } else {
        // T text term start end position
        expected.add(f[1] + " " + f[3] + "-" + f[4] + " @" + f[5]);
        if (!f[2].isEmpty()) {
          expectedTerms.add(f[2] + " " + f[3] + "-" + f[4] + " @" + f[5]);
          String chainTerm = f[2];
          String normalized = BulgarianNormalizer.normalize(f[1]);
          if (BulgarianTerms.isUpperCase(f[1]) && BulgarianNormalizer.isCyrillicWord(normalized)
              && BulgarianTerms.isAcronym(normalized)) {
            chainTerm = chainTerms.stem(normalized);
            if (!chainTerm.equals(f[2])) {
              acronymsStemmedByChain[0]++;
            }
          }
          expectedChain.add(chainTerm + " " + f[3] + "-" + f[4] + " @" + f[5]);
        }
      }
    }
    System.out.println("documents/char filter chain: " + acronymsStemmedByChain[0]
        + " acronyms in capitals stemmed (the chain cannot see capitals; expected)");
    tokens.assertNone();
    analyzed.assertNone();
    charFiltered.assertNone();
    charFilteredFuzz.report();
  }

  /** Tokens as "term start-end @position", offsets in code points. */
  static List<String> run(Analyzer analyzer, String text) throws IOException {
    List<String> out = new ArrayList<>();
    try (TokenStream ts = analyzer.tokenStream("f", text)) {
      CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
      OffsetAttribute offset = ts.addAttribute(OffsetAttribute.class);
      PositionIncrementAttribute inc = ts.addAttribute(PositionIncrementAttribute.class);
      ts.reset();
      // UTF-16 index -> code point index (Python's offsets count code points).
      int[] codePoints = new int[text.length() + 1];
      for (int i = 0, cp = 0; i <= text.length(); i++) {
        codePoints[i] = cp;
        if (i < text.length() && !Character.isHighSurrogate(text.charAt(i))) {
          cp++;
        }
      }
      int position = -1;
      while (ts.incrementToken()) {
        position += inc.getPositionIncrement();
        int start = codePoints[offset.startOffset()];
        int end = codePoints[offset.endOffset()];
        out.add(term + " " + start + "-" + end + " @" + position);
      }
      ts.end();
    }
    return out;
  }

  private static String diff(String name, List<String> expected, List<String> got) {
    int i = 0;
    while (i < expected.size() && i < got.size() && expected.get(i).equals(got.get(i))) {
      i++;
    }
    return String.format("%s: token %d: python %s, java %s (python %d tokens, java %d)", name, i,
        i < expected.size() ? Vectors.show(expected.get(i)) : "(end)", i < got.size() ? Vectors.show(got.get(i)) : "(end)",
        expected.size(), got.size());
  }

  private static final String CATEGORIES =
      "Cn Lu Ll Lt Lm Lo Mn Me Mc Nd Nl No Zs Zl Zp Cc Cf ?? Co Cs Pd Ps Pe Pc Po Sm Sc Sk So Pi Pf";

  /** The two-letter Unicode general category, as Python's unicodedata.category. */
  private static String category(int cp) {
    int type = Character.getType(cp);
    return CATEGORIES.substring(type * 3, type * 3 + 2);
  }

  /** "1" when the probe's Σ (last char, or the second) became final ς. */
  private static String finalSigma(String lowered, boolean last) {
    char c = last ? lowered.charAt(lowered.length() - 1) : lowered.charAt(1);
    return c == '\u03C2' ? "1" : "0";
  }

  private static boolean oneToken(String input) {
    BulgarianTokenScanner scanner = new BulgarianTokenScanner(input);
    return scanner.next() && scanner.start() == 0 && scanner.end() == input.length() && !scanner.next();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
