package org.bgsearch.lucene;

import java.io.IOException;
import java.io.Reader;
import org.apache.lucene.analysis.charfilter.BaseCharFilter;

/**
 * Normalization as a char filter: every word or number the bgsearch tokenizer would find in the
 * text (tokens too long to index included) is replaced by its {@link BulgarianNormalizer normalized}
 * spelling, and an ending glued with a hyphen to an acronym in capitals ({@code САЩ-ската}, which
 * bgsearch's tokenizer skips) is deleted; everything between tokens passes unchanged. Offsets are corrected at each token's end,
 * so a token's start and end map back to the original text.
 *
 * <p>Normalization is defined per token (majority script, yat, final ъ look at the whole word), so
 * this filter finds the tokens itself, with bgsearch's rules, before a tokenizer sees the text. With
 * bgsearch's tokenizer after it the tokens are those of {@link BulgarianNormalizationFilter}, except
 * where the tokenizer's rules judge the normalized text differently from the raw one: a numeral
 * ending with a stress mark or a Latin look-alike in it ({@code 5-ти́}) is skipped rather than
 * indexed, and a 65-letter token with a stress mark is kept rather than skipped. And the capitals
 * are gone: an acronym in capitals that bgsearch leaves unstemmed (ХЮГО, ТВ) is stemmed by the stem
 * filter after it like any word (the {@link BulgarianTerms#KNOWN_ACRONYMS} excepted). It reads its
 * whole input on first use.
 */
public final class BulgarianNormalizeCharFilter extends BaseCharFilter {

  private String output;
  private int pos;

  public BulgarianNormalizeCharFilter(Reader in) {
    super(in);
  }

  private void fill() throws IOException {
    StringBuilder text = new StringBuilder();
    char[] buffer = new char[8192];
    for (int n = input.read(buffer); n >= 0; n = input.read(buffer)) {
      text.append(buffer, 0, n);
    }
    StringBuilder out = new StringBuilder(text.length());
    BulgarianTokenScanner scanner = new BulgarianTokenScanner(text);
    int last = 0;
    int diff = 0; // input offset - output offset, after the last correction
    while (scanner.nextMatch()) {
      int start = scanner.start();
      int end = scanner.end();
      out.append(text, last, start);
      String word = text.substring(start, end);
      // An ending glued to an acronym in capitals (САЩ-ската) is not a word, but once the acronym is
      // lower-cased nothing tells it from a word after a hyphen (по-добре): it is deleted.
      String normalized = scanner.isAcronymEnding() ? "" : BulgarianNormalizer.normalize(word);
      int outStart = out.length();
      out.append(normalized);
      int grown = normalized.length() - word.length();
      if (grown < 0) {
        // Shorter: from the token's end on, offsets map back past the deleted characters.
        diff -= grown;
        addOffCorrectMap(out.length(), diff);
      } else if (grown > 0) {
        // Longer (NFC decomposing a character, İ lower-cased): the extra characters all map to the
        // token's end, so offsets stay monotonic even if the tokenizer splits the normalized word.
        for (int j = 1; j <= grown; j++) {
          addOffCorrectMap(outStart + word.length() + j, diff - j);
        }
        diff -= grown;
      }
      last = end;
    }
    out.append(text, last, text.length());
    output = out.toString();
  }

  @Override
  public int read(char[] cbuf, int off, int len) throws IOException {
    if (output == null) {
      fill();
    }
    if (pos >= output.length()) {
      return -1;
    }
    int n = Math.min(len, output.length() - pos);
    output.getChars(pos, pos + n, cbuf, off);
    pos += n;
    return n;
  }

  @Override
  public int read() throws IOException {
    if (output == null) {
      fill();
    }
    return pos < output.length() ? output.charAt(pos++) : -1;
  }
}
