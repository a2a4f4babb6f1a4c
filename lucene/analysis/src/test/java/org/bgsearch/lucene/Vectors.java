package org.bgsearch.lucene;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Reads the test vectors that tools/write_analysis_vectors.py writes (see its docstring for the format). */
final class Vectors {

  private Vectors() {}

  /** The vectors directory (system property {@code vectors}), or null when not given. */
  static Path directory() {
    String dir = System.getProperty("vectors", "").trim();
    return dir.isEmpty() ? null : Paths.get(dir);
  }

  static Map<String, String> meta(Path dir) throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    for (String[] fields : read(dir.resolve("meta.tsv"))) {
      meta.put(fields[0], fields[1]);
    }
    return meta;
  }

  /** Every line of a (possibly gzipped) TSV file, split into unescaped fields. */
  static List<String[]> read(Path file) throws IOException {
    List<String[]> rows = new ArrayList<>();
    InputStream in = Files.newInputStream(file);
    if (file.toString().endsWith(".gz")) {
      in = new GZIPInputStream(in, 1 << 16);
    }
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
      // readLine() splits at \n and \r only: escaped fields hold neither, but may hold U+2028 or U+0085.
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (!line.isEmpty()) {
          rows.add(split(line));
        }
      }
    }
    return rows;
  }

  private static String[] split(CharSequence line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\t') {
        fields.add(field.toString());
        field.setLength(0);
      } else if (c == '\\' && i + 1 < line.length()) {
        char e = line.charAt(++i);
        field.append(e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields.toArray(new String[0]);
  }

  /** Java string literal-ish rendering, so invisible characters show in failure messages. */
  static String show(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("\"");
    s.codePoints().forEach(cp -> {
      if (cp >= 0x20 && cp < 0x7F || Character.isLetterOrDigit(cp) && cp < 0x10000 && Character.getType(cp) != Character.NON_SPACING_MARK) {
        out.appendCodePoint(cp);
      } else {
        out.append(String.format("\\u{%X}", cp));
      }
    });
    return out.append('"').toString();
  }
}
