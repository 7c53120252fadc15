package dev.minigradient.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.minigradient.model.preprocess.InputLimits;
import dev.minigradient.protocol.Json;
import dev.minigradient.protocol.ModelSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The digit model on pictures that do not look like MNIST, through the peers' whole path ({@link
 * ServedModel#infer}: decoding, the {@code mnist-digit} layout, ONNX Runtime), exactly as a user's
 * upload is served.
 *
 * <p>The real-world set ({@code models/mnist/realworld}, named in {@code model.json}) holds
 * held-out digits degraded as users' pictures are (low-resolution scans enlarged, thick pens, soft
 * edges, grey pages, JPEG); it must score at least {@link #REALWORLD_MIN} and exactly the figure
 * {@code metrics.json} and the model card state. The UCI optical digits ({@code
 * models/mnist/uci-outside}) are an outside check, never used for training or for any choice: they
 * have no bar, only the figure metrics.json and the card state.
 *
 * <p>Writes {@code target/digit-robustness.md} (accuracy by kind of degradation) and prints it.
 */
class DigitRobustnessTest {
  /** Smallest accepted accuracy on the real-world set. */
  static final double REALWORLD_MIN = 0.95;

  /** Side of the rendered UCI picture: the 8x8 digit enlarged 8 times. */
  static final int UCI_SIDE = 64;

  /** Largest value of a UCI cell (the count of ink pixels in a 4x4 block of the 32x32 scan). */
  static final int UCI_MAX = 16;

  private static final Path MNIST = Path.of("..", "models", "mnist");

  @Test
  void theRealWorldDigitsScoreTheCardsFigureThroughThePeersPath() throws Exception {
    // given the real-world set model.json names, and the figure metrics.json states for it
    JsonNode entry = Json.MAPPER.readTree(MNIST.resolve("model.json").toFile()).get("realworld");
    assertThat(entry).as("model.json names its real-world set").isNotNull();
    Path folder = MNIST.resolve(entry.get("folder").asText());
    List<String[]> rows =
        Files.readAllLines(MNIST.resolve(entry.get("labels").asText())).stream()
            .skip(1)
            .map(l -> l.split(",", 5))
            .toList();
    double cardAccuracy = metrics().path(entry.get("metric").asText()).asDouble(Double.NaN);

    // when each picture is served as an upload
    ServedModel served = ServedModel.open(ModelSpec.load(MNIST), InputLimits.MAX_PIXELS);
    int correct = 0;
    int refused = 0;
    Map<String, int[]> byKind = new TreeMap<>();
    Evaluation folderEvaluation;
    try {
      for (String[] r : rows) {
        int label = Integer.parseInt(r[1]);
        assertThat(r[0]).as("the file name carries the label").contains("-label-" + label + ".");
        assertThat(r[2]).isIn("mnist", "opencv");
        ServedModel.Prediction p = served.infer(Files.readAllBytes(folder.resolve(r[0])));
        boolean ok = p.label() == label;
        correct += ok ? 1 : 0;
        refused += p.rejection() != null ? 1 : 0;
        for (String kind : kinds(r[4])) {
          int[] c = byKind.computeIfAbsent(kind, k -> new int[2]);
          c[0] += ok ? 1 : 0;
          c[1]++;
        }
      }
      folderEvaluation = Evaluation.ofFolder(served, folder, Map.of());
    } finally {
      served.engine().close();
    }

    // then it holds up, scores exactly the card's figure, and `evaluate --data` agrees
    double accuracy = (double) correct / rows.size();
    report(rows.size(), correct, refused, byKind);
    assertThat(rows.size()).isBetween(1_000, 2_000);
    assertThat(accuracy)
        .as("real-world accuracy (%d / %d)", correct, rows.size())
        .isGreaterThanOrEqualTo(REALWORLD_MIN)
        .isEqualTo(cardAccuracy, Offset.offset(1e-9));
    assertThat(folderEvaluation.n()).isEqualTo(rows.size());
    assertThat(folderEvaluation.correct()).isEqualTo(correct);
    assertThat(card()).contains(cardFigure(correct, rows.size()));
  }

  @Test
  void theUciOutsideCheckScoresTheCardsFigure() throws Exception {
    // given the 1,797 UCI digits (8x8, 0..16) and the figure the card states for them
    Path dir = MNIST.resolve("uci-outside");
    byte[][] images = readIdx(dir.resolve("uci-images-idx3-ubyte.gz"), 2051, 8);
    byte[][] labels = readIdx(dir.resolve("uci-labels-idx1-ubyte.gz"), 2049, 0);
    assertThat(images.length).isEqualTo(1_797).isEqualTo(labels.length);
    double cardAccuracy = metrics().path("uci_outside_accuracy").asDouble(Double.NaN);

    // when each is drawn as dark ink on white, enlarged to 64x64, and served as a PNG upload
    ServedModel served = ServedModel.open(ModelSpec.load(MNIST), InputLimits.MAX_PIXELS);
    int correct = 0;
    try {
      for (int i = 0; i < images.length; i++) {
        correct += served.infer(uciPicture(images[i])).label() == labels[i][0] ? 1 : 0;
      }
    } finally {
      served.engine().close();
    }

    // then it scores exactly the card's figure (no bar: it is an outside check)
    double accuracy = (double) correct / images.length;
    System.out.printf("UCI outside check: %d / %d = %.6f%n", correct, images.length, accuracy);
    assertThat(accuracy)
        .as("UCI outside-check accuracy (%d / %d)", correct, images.length)
        .isEqualTo(cardAccuracy, Offset.offset(1e-9));
    assertThat(card()).contains(cardFigure(correct, images.length));
  }

  @Test
  void aUciPictureIsTheDigitEnlargedAsDarkInkOnWhite() throws Exception {
    // given an 8x8 cell with one full-ink pixel in the top-left corner
    byte[] cells = new byte[64];
    cells[0] = UCI_MAX;
    // when it is rendered
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(uciPicture(cells)));
    // then it is 64x64 gray, black under the ink, white far from it, and shaded in between
    assertThat(img.getWidth()).isEqualTo(UCI_SIDE);
    assertThat(img.getHeight()).isEqualTo(UCI_SIDE);
    assertThat(img.getRaster().getSample(0, 0, 0)).isZero();
    assertThat(img.getRaster().getSample(63, 63, 0)).isEqualTo(255);
    assertThat(img.getRaster().getSample(8, 0, 0)).isBetween(1, 254);
  }

  /**
   * Renders a UCI digit as a user's picture: cell value v (0..16) becomes gray 255 - 255 * v / 16
   * (dark ink on white), enlarged from 8x8 to 64x64 with bilinear interpolation (pixel centres
   * aligned, edges clamped), encoded as an 8-bit gray PNG.
   */
  static byte[] uciPicture(byte[] cells) throws IOException {
    BufferedImage img = new BufferedImage(UCI_SIDE, UCI_SIDE, BufferedImage.TYPE_BYTE_GRAY);
    double scale = 8.0 / UCI_SIDE;
    for (int y = 0; y < UCI_SIDE; y++) {
      double cy = Math.max(0, Math.min(7, (y + 0.5) * scale - 0.5));
      int y0 = (int) Math.floor(cy);
      int y1 = Math.min(7, y0 + 1);
      double ty = cy - y0;
      for (int x = 0; x < UCI_SIDE; x++) {
        double cx = Math.max(0, Math.min(7, (x + 0.5) * scale - 0.5));
        int x0 = (int) Math.floor(cx);
        int x1 = Math.min(7, x0 + 1);
        double tx = cx - x0;
        double top = (1 - tx) * cells[y0 * 8 + x0] + tx * cells[y0 * 8 + x1];
        double bottom = (1 - tx) * cells[y1 * 8 + x0] + tx * cells[y1 * 8 + x1];
        double ink = ((1 - ty) * top + ty * bottom) / UCI_MAX;
        img.getRaster().setSample(x, y, 0, (int) Math.round(255 * (1 - ink)));
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(img, "png", png);
    return png.toByteArray();
  }

  /** The kinds of degradation a labels.csv description names, plus "all". */
  private static List<String> kinds(String description) {
    List<String> out = new ArrayList<>(List.of("all"));
    int strong = 0;
    for (String part : description.split(";")) {
      String key = part.split("=", 2)[0];
      switch (key) {
        case "thick", "lowres", "blur" -> {
          out.add(key);
          strong++;
        }
        case "jpeg", "blue-pen" -> out.add(key);
        default -> {}
      }
    }
    if (strong >= 2) {
      out.add("two or more of thick/lowres/blur");
    }
    return out;
  }

  /**
   * How the card states a figure: {@code **98.53 %** (1,478 / 1,500)}.
   *
   * @param correct examples right
   * @param n examples
   * @return the text
   */
  static String cardFigure(int correct, int n) {
    return String.format(Locale.ROOT, "**%.2f %%** (%,d / %,d)", 100.0 * correct / n, correct, n);
  }

  private static String card() throws IOException {
    return Files.readString(MNIST.resolve("MODEL_CARD.md"));
  }

  private static JsonNode metrics() throws IOException {
    return Json.MAPPER.readTree(MNIST.resolve("metrics.json").toFile());
  }

  private static void report(int n, int correct, int refused, Map<String, int[]> byKind)
      throws IOException {
    StringBuilder md = new StringBuilder("| kind | correct | accuracy |\n|---|---:|---:|\n");
    byKind.forEach(
        (k, c) ->
            md.append(
                String.format("| %s | %d / %d | %.2f %% |%n", k, c[0], c[1], 100.0 * c[0] / c[1])));
    md.append(
        String.format("%nreal-world set: %d / %d correct, %d refused%n", correct, n, refused));
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "digit-robustness.md"), md);
    System.out.println(md);
  }

  /**
   * Reads a gzipped IDX file of unsigned bytes: images ({@code magic} 2051, {@code side} x side
   * each) or labels (2049, {@code side} 0, one byte each).
   */
  private static byte[][] readIdx(Path file, int magic, int side) throws IOException {
    try (DataInputStream in =
        new DataInputStream(new GZIPInputStream(Files.newInputStream(file)))) {
      assertThat(in.readInt()).as("IDX magic of " + file).isEqualTo(magic);
      int count = in.readInt();
      int size = 1;
      if (side > 0) {
        assertThat(in.readInt()).isEqualTo(side);
        assertThat(in.readInt()).isEqualTo(side);
        size = side * side;
      }
      int max = side > 0 ? UCI_MAX : 9;
      byte[][] out = new byte[count][size];
      for (byte[] item : out) {
        in.readFully(item);
        for (byte b : item) {
          if ((b & 0xff) > max) {
            throw new IOException(file + ": value " + (b & 0xff) + " above " + max);
          }
        }
      }
      assertThat(in.read()).as("no bytes after the last item").isEqualTo(-1);
      return out;
    }
  }
}
