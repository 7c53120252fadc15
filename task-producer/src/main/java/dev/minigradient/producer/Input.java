package dev.minigradient.producer;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One input to submit: a file's bytes, its true label if its name carries one, or why it could not
 * be read.
 *
 * @param name display name (the file name)
 * @param path the file
 * @param bytes its content, or null when {@code error} is set
 * @param trueLabel the label in the file name ({@code ...label-7...}), or null
 * @param error why the file could not be read, or null
 */
public record Input(String name, Path path, byte[] bytes, Integer trueLabel, String error) {
  private static final Pattern LABEL = Pattern.compile("label[-_](\\d+)");

  /**
   * Reads the true label from a file name such as {@code mnist-00042-label-7.png}.
   *
   * @param fileName the name
   * @return the label, or null if the name has none
   */
  public static Integer labelOf(String fileName) {
    Matcher m = LABEL.matcher(fileName);
    return m.find() ? Integer.valueOf(m.group(1)) : null;
  }
}
