package org.bgsearch.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.Reader;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.custom.CustomAnalyzer;
import org.apache.lucene.analysis.miscellaneous.SetKeywordMarkerFilter;
import org.junit.jupiter.api.Test;

/** Behaviour the vectors do not cover: Lucene-specific wiring (keywords, char filter offsets). */
class AnalyzerTest {

  @Test
  void analyzerVersionIsSet() {
    assertEquals(true, BulgarianAnalysis.VERSION.matches("\\d+\\.\\d+"), BulgarianAnalysis.VERSION);
  }

  @Test
  void stopWordsLeaveGapsAndTermsAreStemmed() throws IOException {
    assertEquals(List.of("министър 0-8 @0", "финанс 12-21 @2"),
        AnalysisVectorsTest.run(new BgsearchBulgarianAnalyzer(), "министър на финансите"));
  }

  @Test
  void stemFilterLeavesKeywordsAlone() throws IOException {
    CharArraySet keywords = new CharArraySet(List.of("санкциите"), false);
    Analyzer analyzer = new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String field) {
        Tokenizer source = new BulgarianTokenizer();
        TokenStream stream = new BulgarianNormalizationFilter(source);
        stream = new SetKeywordMarkerFilter(stream, keywords);
        return new TokenStreamComponents(source, new BulgarianStemFilter(stream));
      }
    };
    assertEquals(List.of("санкциите 0-9 @0", "посолств 10-19 @1"),
        AnalysisVectorsTest.run(analyzer, "Санкциите посолства"));
  }

  @Test
  void charFilterKeepsOffsetsOfTheOriginalText() throws IOException {
    Analyzer analyzer = new Analyzer() {
      @Override
      protected Reader initReader(String field, Reader reader) {
        return new BulgarianNormalizeCharFilter(reader);
      }

      @Override
      protected TokenStreamComponents createComponents(String field) {
        return new TokenStreamComponents(new BulgarianTokenizer());
      }
    };
    // The stressed word loses a mark (6 -> 5 chars), İ gains one (1 -> 2 chars).
    assertEquals(List.of("какво 0-6 @0", "i\u0307 7-8 @1", "градът 9-15 @2"),
        AnalysisVectorsTest.run(analyzer, "Ка́кво İ градът"));
    // Documented difference: a token over 64 code points that normalization shortens to 64 is
    // skipped by the analyzer but kept after the char filter.
    String longWord = "а".repeat(64) + "\u0301";
    assertEquals(List.of(), AnalysisVectorsTest.run(new BgsearchBulgarianAnalyzer(), longWord));
    assertEquals(List.of("а".repeat(64) + " 0-65 @0"), AnalysisVectorsTest.run(analyzer, longWord));
  }

  @Test
  void acronymsInCapitalsAreNotStemmedAndTheirEndingsAreSkipped() throws IOException {
    String text = "НАТО и НЗОК: ТЪМНИ СИЛИ, САЩ-ската ДНК-анализ, Нато, нато, Петрова, тръмповата";
    List<String> expected = List.of("нато 0-4 @0", "нзок 7-11 @2", "тъмен 13-18 @3", "сила 19-23 @4",
        "сащ 25-28 @5", "днк 35-38 @6", "анализ 39-45 @7", "нато 47-51 @8", "нато 53-57 @9",
        "петров 59-66 @10", "тръмп 68-78 @11");
    assertEquals(expected, AnalysisVectorsTest.run(new BgsearchBulgarianAnalyzer(), text));
    // The char filter deletes the ending glued to the acronym (offsets still those of the text).
    Analyzer withCharFilter = CustomAnalyzer.builder()
        .addCharFilter("bgsearchNormalize")
        .withTokenizer("bgsearch")
        .addTokenFilter("bgsearchStop")
        .addTokenFilter("bgsearchStem")
        .build();
    assertEquals(expected, AnalysisVectorsTest.run(withCharFilter, text));
  }

  @Test
  void spiFactoriesBuildTheSameAnalyzer() throws IOException {
    Analyzer custom = CustomAnalyzer.builder()
        .withTokenizer("bgsearch")
        .addTokenFilter("bgsearchNormalize")
        .addTokenFilter("bgsearchStop")
        .addTokenFilter("bgsearchStem")
        .build();
    String text = "Президентът Ка́кво по-добре: кoмпютрите, 123-мата затворници, министър на финансите; Reuters;"
        + " НАТО, НЗОК и ОССЕ: ТЪМНИ СИЛИ, САЩ-ската, ДНК-анализ";
    assertEquals(AnalysisVectorsTest.run(new BgsearchBulgarianAnalyzer(), text), AnalysisVectorsTest.run(custom, text));
    Analyzer withCharFilter = CustomAnalyzer.builder()
        .addCharFilter("bgsearchNormalize")
        .withTokenizer("bgsearch")
        .addTokenFilter("bgsearchStop")
        .addTokenFilter("bgsearchStem")
        .build();
    assertEquals(AnalysisVectorsTest.run(new BgsearchBulgarianAnalyzer(), text), AnalysisVectorsTest.run(withCharFilter, text));
  }
}
