package org.bgsearch.lucene;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Collects differences between Python and Java; fails with the first few. */
final class Differences {

  private static final int SHOWN = 10;
  private final String what;
  private final List<String> shown = new ArrayList<>();
  private int count;
  private int checked;

  Differences(String what) {
    this.what = what;
  }

  void check(boolean same, Supplier<String> description) {
    checked++;
    if (!same) {
      count++;
      if (shown.size() < SHOWN) {
        shown.add(description.get());
      }
    }
  }

  int checked() {
    return checked;
  }

  /** Prints the count and the first differences without failing. */
  void report() {
    System.out.printf("%s: %d checked, %d differences%n", what, checked, count);
    for (String d : shown) {
      System.out.println("  " + d);
    }
  }

  void assertNone() {
    System.out.printf("%s: %d checked, %d differences%n", what, checked, count);
    if (count > 0) {
      throw new AssertionError(String.format("%s: %d of %d differ from Python; first %d:%n  %s", what,
          count, checked, shown.size(), String.join("\n  ", shown)));
    }
  }
}
