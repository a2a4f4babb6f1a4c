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
 * The default stop list, Jacques Savoy's (BSD) and the other forms of its pronouns and numerals,
 * read from {@code stopwords-bg.txt} and {@code stopwords-bg-forms.txt}, the files the Python package
 * ships, as normalized words. Pure: no Lucene types.
 */
public final class BulgarianStopWords {

  private static final String[] RESOURCES = {"data/stopwords-bg.txt", "data/stopwords-bg-forms.txt"};

  private BulgarianStopWords() {}

  private static final class Holder {
    static final Set<String> WORDS = load();
  }

  /** The default stop words, normalized by {@link BulgarianNormalizer}. */
  public static Set<String> defaultStopWords() {
    return Holder.WORDS;
  }

  private static Set<String> load() {
    Set<String> words = new LinkedHashSet<>();
    for (String resource : RESOURCES) {
      read(resource, words);
    }
    return Collections.unmodifiableSet(words);
  }

  private static void read(String resource, Set<String> words) {
    try (InputStream in = BulgarianStopWords.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " missing from the classpath");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        int hash = line.indexOf('#');
        String word = (hash >= 0 ? line.substring(0, hash) : line).strip();
        if (!word.isEmpty()) {
          words.add(BulgarianNormalizer.normalize(word));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
