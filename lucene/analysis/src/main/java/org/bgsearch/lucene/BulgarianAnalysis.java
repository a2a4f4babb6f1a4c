package org.bgsearch.lucene;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The identity of bgsearch's Bulgarian analysis: its name and version, as the Python package reports them. */
public final class BulgarianAnalysis {

  /** {@code bgsearch.analysis.ANALYZER_NAME}. */
  public static final String NAME = "bgsearch-bulgarian";

  /**
   * {@code bgsearch.analysis.ANALYZER_VERSION}: set once, in {@code lucene/pom.xml}
   * ({@code bgsearch.analyzer.version}), filtered into {@code analysis.properties}; the vector tests
   * fail when it differs from the version the Python side writes into the vectors.
   */
  public static final String VERSION = readVersion();

  private BulgarianAnalysis() {}

  private static String readVersion() {
    try (InputStream in = BulgarianAnalysis.class.getResourceAsStream("analysis.properties")) {
      if (in == null) {
        throw new IllegalStateException("analysis.properties missing from the classpath");
      }
      Properties props = new Properties();
      props.load(in);
      return props.getProperty("analyzer.version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
