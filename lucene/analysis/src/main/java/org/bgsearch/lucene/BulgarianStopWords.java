package org.bgsearch.lucene;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The default stop list, Jacques Savoy's (BSD), read from {@code stopwords-bg.txt}, the file the
 * Python package ships, as normalized words. Pure: no Lucene types.
 */
public final class BulgarianStopWords {

  private static final String RESOURCE = "data/stopwords-bg.txt";

  private BulgarianStopWords() {}

  private static final class Holder {
    static final Set<String> WORDS = load();
  }

  /** The default stop words, normalized by {@link BulgarianNormalizer}. */
  public static Set<String> defaultStopWords() {
    return Holder.WORDS;
  }

  private static Set<String> load() {
    try (InputStream in = BulgarianStopWords.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " missing from the classpath");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      Set<String> words = new LinkedHashSet<>();
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        int hash = line.indexOf('#');
        String word = (hash >= 0 ? line.substring(0, hash) : line).strip();
        if (!word.isEmpty()) {
          words.add(BulgarianNormalizer.normalize(word));
        }
      }
      return Collections.unmodifiableSet(words);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
