package org.bgsearch.lucene;

import java.io.IOException;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.tokenattributes.TypeAttribute;
import org.apache.lucene.util.AttributeFactory;

/**
 * Lucene adapter of {@link BulgarianTokenScanner}: emits the raw tokens of bgsearch's tokenizer
 * (not yet normalized) with their offsets; every emitted token takes one position.
 *
 * <p>The input is read whole on the first {@link #incrementToken()} after {@link #reset()} (the rules
 * look behind a token and need its full length), as Lucene's pattern tokenizers do.
 */
public final class BulgarianTokenizer extends Tokenizer {

  /** Token type of numbers. */
  public static final String TYPE_NUMBER = "<NUM>";
  /** Token type of words. */
  public static final String TYPE_WORD = "<ALPHANUM>";

  private final CharTermAttribute termAtt = addAttribute(CharTermAttribute.class);
  private final OffsetAttribute offsetAtt = addAttribute(OffsetAttribute.class);
  private final PositionIncrementAttribute posIncAtt = addAttribute(PositionIncrementAttribute.class);
  private final TypeAttribute typeAtt = addAttribute(TypeAttribute.class);

  private final StringBuilder text = new StringBuilder();
  private final char[] buffer = new char[8192];
  private BulgarianTokenScanner scanner;
  private boolean filled;

  public BulgarianTokenizer() {}

  public BulgarianTokenizer(AttributeFactory factory) {
    super(factory);
  }

  @Override
  public boolean incrementToken() throws IOException {
    clearAttributes();
    if (!filled) {
      fill();
    }
    if (!scanner.next()) {
      return false;
    }
    int start = scanner.start();
    int end = scanner.end();
    termAtt.setEmpty().append(text, start, end);
    offsetAtt.setOffset(correctOffset(start), correctOffset(end));
    posIncAtt.setPositionIncrement(1);
    typeAtt.setType(BulgarianTokenScanner.isDigit(Character.codePointAt(text, start)) ? TYPE_NUMBER : TYPE_WORD);
    return true;
  }

  @Override
  public void reset() throws IOException {
    super.reset();
    text.setLength(0);
    scanner = null;
    filled = false;
  }

  /** Reads the whole input (throws IllegalStateException when reset() was not called, as Lucene requires). */
  private void fill() throws IOException {
    filled = true;
    text.setLength(0);
    for (int n = input.read(buffer); n >= 0; n = input.read(buffer)) {
      text.append(buffer, 0, n);
    }
    scanner = new BulgarianTokenScanner(text);
  }

  @Override
  public void end() throws IOException {
    super.end();
    if (!filled) {
      fill();
    }
    int finalOffset = correctOffset(text.length());
    offsetAtt.setOffset(finalOffset, finalOffset);
  }

  @Override
  public void close() throws IOException {
    super.close();
    text.setLength(0);
    scanner = null;
    filled = false;
  }
}
