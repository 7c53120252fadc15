package dev.minigradient.model;

import dev.minigradient.model.preprocess.InvalidInputException;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * A model's accuracy and confusion matrix on labelled data, computed through the same path the
 * peers use (preprocessing, ONNX Runtime, argmax).
 *
 * @param n examples evaluated (refused ones included)
 * @param correct examples whose prediction equals the label
 * @param refused inputs the preprocessing refused (counted as wrong)
 * @param confusion {@code confusion[label][predicted]} counts; refused inputs are not in it
 * @param compared examples that had a reference prediction (e.g. the trainer's)
 * @param agreed examples whose prediction equals the reference prediction
 */
public record Evaluation(
    int n, int correct, int refused, int[][] confusion, int compared, int agreed) {
  private static final Pattern LABEL = Pattern.compile("label[-_](\\d+)");

  /**
   * Accuracy.
   *
   * @return {@code correct / n}, 0 when empty
   */
  public double accuracy() {
    return n == 0 ? 0 : (double) correct / n;
  }

  /**
   * Agreement with the reference predictions.
   *
   * @return {@code agreed / compared}, or NaN when nothing was compared
   */
  public double agreement() {
    return compared == 0 ? Double.NaN : (double) agreed / compared;
  }

  /**
   * Evaluates image files whose names carry their label ({@code ...label-7...}).
   *
   * @param model the model and its preprocessing
   * @param folder a folder of labelled images (not recursive; files without a label are skipped)
   * @param reference file name to a reference prediction (may be empty)
   * @return the evaluation
   * @throws IOException if the folder cannot be read
   */
  public static Evaluation ofFolder(ServedModel model, Path folder, Map<String, Integer> reference)
      throws IOException {
    int classes = model.engine().classCount();
    Builder b = new Builder(classes);
    List<Path> files;
    try (Stream<Path> s = Files.list(folder)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    for (Path f : files) {
      Matcher m = LABEL.matcher(f.getFileName().toString());
      if (!m.find()) {
        continue;
      }
      int label = Integer.parseInt(m.group(1));
      try {
        int predicted =
            InferenceEngine.argmax(
                model.engine().probabilities(model.preprocessing().apply(Files.readAllBytes(f))));
        b.add(label, predicted, reference.get(f.getFileName().toString()));
      } catch (InvalidInputException e) {
        b.refuse();
      }
    }
    return b.build();
  }

  /**
   * Evaluates IDX files (the MNIST format: {@code idx3-ubyte} images of 28x28 bytes and {@code
   * idx1-ubyte} labels, optionally gzipped). The images are already in the model's format, so they
   * are fed as {@code byte / 255} without image preprocessing.
   *
   * @param model the model
   * @param images the IDX3 images file
   * @param labels the IDX1 labels file
   * @param limit evaluate at most this many (0: all)
   * @return the evaluation
   * @throws IOException if the files cannot be read or are not IDX
   */
  public static Evaluation ofIdx(ServedModel model, Path images, Path labels, int limit)
      throws IOException {
    try (DataInputStream in = new DataInputStream(open(images));
        DataInputStream lb = new DataInputStream(open(labels))) {
      if (in.readInt() != 2051 || lb.readInt() != 2049) {
        throw new IOException("not IDX images/labels files: " + images + ", " + labels);
      }
      int count = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      if (lb.readInt() != count || rows != 28 || cols != 28) {
        throw new IOException(
            "IDX files disagree or are not 28x28: "
                + count
                + " images of "
                + rows
                + "x"
                + cols
                + ", labels file of another count");
      }
      int total = limit > 0 ? Math.min(limit, count) : count;
      Builder b = new Builder(model.engine().classCount());
      byte[] pixels = new byte[28 * 28];
      float[] tensor = new float[28 * 28];
      for (int i = 0; i < total; i++) {
        in.readFully(pixels);
        for (int j = 0; j < pixels.length; j++) {
          tensor[j] = (pixels[j] & 0xff) / 255f;
        }
        int label = lb.readUnsignedByte();
        b.add(label, InferenceEngine.argmax(model.engine().probabilities(tensor)), null);
      }
      return b.build();
    }
  }

  private static InputStream open(Path p) throws IOException {
    InputStream in = Files.newInputStream(p);
    return p.toString().endsWith(".gz") ? new GZIPInputStream(in) : in;
  }

  /**
   * Reads reference predictions from a CSV with a header and columns {@code file,label,predicted}.
   *
   * @param csv the file
   * @return file name to predicted label
   * @throws IOException if it cannot be read
   */
  public static Map<String, Integer> readPredictions(Path csv) throws IOException {
    Map<String, Integer> out = new HashMap<>();
    List<String> lines = Files.readAllLines(csv);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      if (f.length >= 3) {
        out.put(f[0].trim(), Integer.parseInt(f[2].trim()));
      }
    }
    return out;
  }

  /**
   * The confusion matrix as text, rows = true label, columns = predicted.
   *
   * @param labels class names by index (may be shorter than the class count)
   * @return a fixed-width table
   */
  public String confusionTable(List<String> labels) {
    StringBuilder sb = new StringBuilder("true\\pred");
    for (int j = 0; j < confusion.length; j++) {
      sb.append(String.format("%6d", j));
    }
    sb.append("   accuracy  class\n");
    for (int i = 0; i < confusion.length; i++) {
      sb.append(String.format("%9d", i));
      int rowTotal = 0;
      for (int j = 0; j < confusion.length; j++) {
        sb.append(String.format("%6d", confusion[i][j]));
        rowTotal += confusion[i][j];
      }
      sb.append(
          rowTotal == 0
              ? "          -"
              : String.format("   %7.2f%%", 100.0 * confusion[i][i] / rowTotal));
      sb.append("  ").append(i < labels.size() ? labels.get(i) : "").append('\n');
    }
    return sb.toString();
  }

  private static final class Builder {
    private final int[][] confusion;
    private int n;
    private int correct;
    private int refused;
    private int compared;
    private int agreed;

    Builder(int classes) {
      confusion = new int[classes][classes];
    }

    void add(int label, int predicted, Integer reference) {
      n++;
      if (label >= 0 && label < confusion.length) {
        confusion[label][predicted]++;
      }
      correct += label == predicted ? 1 : 0;
      if (reference != null) {
        compared++;
        agreed += reference == predicted ? 1 : 0;
      }
    }

    void refuse() {
      n++;
      refused++;
    }

    Evaluation build() {
      return new Evaluation(n, correct, refused, confusion, compared, agreed);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Evaluation e
        && n == e.n
        && correct == e.correct
        && refused == e.refused
        && compared == e.compared
        && agreed == e.agreed
        && Arrays.deepEquals(confusion, e.confusion);
  }

  @Override
  public int hashCode() {
    return Objects.hash(n, correct, refused, compared, agreed);
  }

  @Override
  public String toString() {
    return String.format(
        "n=%d correct=%d refused=%d accuracy=%.4f", n, correct, refused, accuracy());
  }
}
