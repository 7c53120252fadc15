package dev.minigradient.model.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class MnistPreprocessorTest {

  private static final Path SAMPLES = Path.of("..", "models", "mnist", "samples");

  private final MnistPreprocessor preprocessor = new MnistPreprocessor();

  /**
   * The reason the preprocessor gives for refusing {@code input}; fails the test if it accepts it.
   */
  private String rejection(byte[] input) {
    InvalidInputException e =
        catchThrowableOfType(InvalidInputException.class, () -> preprocessor.preprocess(input));
    assertThat(e).as("refused").isNotNull();
    return e.reason();
  }

  // ------------------------------------------------------------------ polarity and alpha

  @Test
  void dark_ink_on_white_and_white_ink_on_black_give_nearly_the_same_tensor() throws Exception {
    // given
    byte[] darkOnWhite = png(seven(BufferedImage.TYPE_INT_RGB, 120, 140, Color.BLACK, Color.WHITE));
    byte[] whiteOnBlack =
        png(seven(BufferedImage.TYPE_INT_RGB, 120, 140, Color.WHITE, Color.BLACK));

    // when
    float[] a = preprocessor.preprocess(darkOnWhite);
    float[] b = preprocessor.preprocess(whiteOnBlack);

    // then
    assertIsMnistLike(a);
    assertThat(maxAbsDifference(a, b)).isLessThan(0.02);
  }

  @Test
  void a_transparent_background_counts_as_background_not_as_black_ink() throws Exception {
    // given: dark ink on fully transparent pixels
    BufferedImage transparent = new BufferedImage(120, 140, BufferedImage.TYPE_INT_ARGB);
    drawSeven(transparent, Color.BLACK, new Color(0, 0, 0, 0));
    float[] reference =
        preprocessor.preprocess(
            png(seven(BufferedImage.TYPE_INT_RGB, 120, 140, Color.WHITE, Color.BLACK)));

    // when
    float[] tensor = preprocessor.preprocess(png(transparent));

    // then
    assertIsMnistLike(tensor);
    assertThat(maxAbsDifference(tensor, reference)).isLessThan(0.02);
  }

  // ------------------------------------------------------------------ formats and bit depths

  enum Encoding {
    SIXTEEN_BIT_GRAY_PNG(BufferedImage.TYPE_USHORT_GRAY, "png"),
    GRAY_PNG(BufferedImage.TYPE_BYTE_GRAY, "png"),
    RGB_PNG(BufferedImage.TYPE_INT_RGB, "png"),
    GRAY_JPEG(BufferedImage.TYPE_BYTE_GRAY, "jpg"),
    ONE_BIT_PNG(BufferedImage.TYPE_BYTE_BINARY, "png"),
    PALETTE_PNG(BufferedImage.TYPE_BYTE_INDEXED, "png"),
    GRAY_PLUS_ALPHA_PNG(-1, "png"),
    RGB_JPEG(BufferedImage.TYPE_INT_RGB, "jpg"),
    PALETTE_GIF(BufferedImage.TYPE_BYTE_INDEXED, "gif"),
    BGR_BMP(BufferedImage.TYPE_3BYTE_BGR, "bmp");

    final int imageType;
    final String format;

    Encoding(int imageType, String format) {
      this.imageType = imageType;
      this.format = format;
    }
  }

  @ParameterizedTest(name = "{0} gives a centred digit in a 20 px box")
  @EnumSource(Encoding.class)
  void every_supported_encoding_gives_a_centred_digit_in_a_20_px_box(Encoding encoding)
      throws Exception {
    // given
    BufferedImage image =
        encoding.imageType < 0
            ? grayPlusAlpha(90, 110)
            : zero(encoding.imageType, 90, 110, Color.BLACK, Color.WHITE);
    byte[] bytes = encode(image, encoding.format);

    // when
    float[] tensor = preprocessor.preprocess(bytes);

    // then
    assertIsMnistLike(tensor);
  }

  @Test
  void sixteen_bit_gray_levels_are_read_from_samples_not_shifted_by_colour_conversion()
      throws Exception {
    // given: a mid-gray (not black) stroke on white in 16-bit gray
    BufferedImage image = new BufferedImage(60, 60, BufferedImage.TYPE_USHORT_GRAY);
    short[] data = ((DataBufferUShort) image.getRaster().getDataBuffer()).getData();
    Arrays.fill(data, (short) 0xFFFF);
    for (int y = 10; y < 50; y++) {
      for (int x = 26; x < 34; x++) {
        data[y * 60 + x] = (short) 0x8000;
      }
    }

    // when
    float[] tensor = preprocessor.preprocess(png(image));

    // then: after background removal the stroke is full-strength ink
    assertThat(max(tensor)).isEqualTo(1f);
    assertIsMnistLike(tensor);
  }

  // ------------------------------------------------------------------ geometry

  @Test
  void a_small_digit_far_off_centre_on_a_large_page_is_scaled_and_centred() throws Exception {
    // given: a 40x50 "7" near the bottom-right corner of a 1000x800 page
    BufferedImage page = whitePage(1000, 800);
    BufferedImage digit = seven(BufferedImage.TYPE_INT_RGB, 40, 50, Color.BLACK, Color.WHITE);
    page.getGraphics().drawImage(digit, 930, 720, null);

    // when
    float[] tensor = preprocessor.preprocess(png(page));

    // then
    assertIsMnistLike(tensor);
  }

  @Test
  void a_light_gray_uneven_background_does_not_become_ink() throws Exception {
    // given: a horizontal gradient from light gray to white, with a dark "1"
    int w = 200;
    int h = 200;
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        image.getRaster().setSample(x, y, 0, 170 + (85 * x) / (w - 1));
      }
    }
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(30, 30, 30));
    g.fillRect(90, 40, 20, 120);
    g.dispose();

    // when
    float[] tensor = preprocessor.preprocess(png(image));

    // then: only the bar is ink, 20 px tall and 3-4 px wide
    assertIsMnistLike(tensor);
    int[] box = boundingBox(tensor);
    assertThat(box[2] - box[0] + 1).isBetween(3, 5);
    assertThat(box[3] - box[1] + 1).isBetween(19, 21);
  }

  // ------------------------------------------------------------------ invalid input

  @Test
  void empty_bytes_are_rejected_as_empty_input() {
    // given
    byte[] empty = new byte[0];

    // when
    String reason = rejection(empty);

    // then
    assertThat(reason).isEqualTo("empty-input");
  }

  @Test
  void random_bytes_are_rejected_as_not_an_image() {
    // given
    byte[] noise = new byte[4096];
    new Random(42).nextBytes(noise);

    // when
    String reason = rejection(noise);

    // then
    assertThat(reason).isEqualTo("not-an-image");
  }

  @Test
  void a_png_cut_in_half_is_rejected_as_undecodable() throws Exception {
    // given
    byte[] whole = png(seven(BufferedImage.TYPE_INT_RGB, 300, 300, Color.BLACK, Color.WHITE));
    byte[] half = Arrays.copyOf(whole, whole.length / 2);

    // when
    String reason = rejection(half);

    // then
    assertThat(reason).isIn("undecodable-image", "not-an-image");
  }

  @Test
  void a_jpeg_cut_in_half_is_rejected_as_undecodable_rather_than_half_gray() throws Exception {
    // given
    byte[] whole = jpeg(seven(BufferedImage.TYPE_INT_RGB, 300, 300, Color.BLACK, Color.WHITE));
    byte[] half = Arrays.copyOf(whole, whole.length / 2);

    // when
    String reason = rejection(half);

    // then
    assertThat(reason).isEqualTo("undecodable-image");
  }

  @Test
  void a_huge_image_is_refused_from_its_header_without_decoding_it() throws Exception {
    // given: a PNG whose header declares 100000 x 100000 RGBA pixels (40 GB if decoded)
    byte[] bomb = pngHeaderOnly(100_000, 100_000);

    // when / then
    assertRefusedQuicklyAsTooManyPixels(bomb);
  }

  @Test
  void a_custom_pixel_limit_is_enforced() throws Exception {
    // given
    MnistPreprocessor strict = new MnistPreprocessor(28 * 28 - 1);
    byte[] bytes = png(seven(BufferedImage.TYPE_BYTE_GRAY, 28, 28, Color.WHITE, Color.BLACK));

    // when
    InvalidInputException e =
        catchThrowableOfType(InvalidInputException.class, () -> strict.preprocess(bytes));

    // then
    assertThat(e.reason()).isEqualTo("too-many-pixels");
  }

  @Test
  void an_all_white_image_is_rejected_as_blank() throws Exception {
    // given
    BufferedImage white = whitePage(64, 64);

    // when / then
    assertThatThrownBy(() -> preprocessor.preprocess(png(white)))
        .isInstanceOfSatisfying(
            InvalidInputException.class, e -> assertThat(e.reason()).isEqualTo("blank-image"));
  }

  @Test
  void a_non_positive_pixel_limit_is_a_programming_error() {
    assertThatThrownBy(() -> new MnistPreprocessor(0)).isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ JPEG variants, WebP, EXIF

  /** A real sample digit as blue-black pen on off-white paper, {@code scale} times larger. */
  private static BufferedImage realDigitOnPaper(TestImages.Sample s, double scale) {
    TestImages.Ink ink = TestImages.scaledInk(s.ink(), scale);
    return TestImages.penOnPaper(ink, new Color(25, 35, 95), new Color(246, 243, 236));
  }

  private static TestImages.Sample firstSample(int label) throws IOException {
    return TestImages.samples().stream().filter(s -> s.label() == label).findFirst().orElseThrow();
  }

  @Test
  void a_cmyk_jpeg_gives_the_same_digit_as_the_rgb_jpeg() throws Exception {
    // given: a real "3" as dark ink on light paper, once as CMYK (Adobe) and once as RGB JPEG
    TestImages.Sample three = firstSample(3);
    TestImages.Ink ink = TestImages.scaledInk(three.ink(), 8);
    BufferedImage gray = TestImages.grayOnPaper(ink, 20, 245);
    byte[] cmyk = TestImages.cmykJpeg(gray, 0.9f);
    float[] reference = preprocessor.preprocess(TestImages.jpeg(gray, 0.9f, false));

    // when
    float[] tensor = preprocessor.preprocess(cmyk);

    // then
    assertIsMnistLike(tensor);
    assertThat(meanAbsDifference(tensor, reference)).isLessThan(0.03);
    assertThat(meanAbsDifference(tensor, three.ink())).isLessThan(0.1);
  }

  @Test
  void a_progressive_jpeg_gives_the_same_digit_as_a_baseline_jpeg() throws Exception {
    // given
    BufferedImage page = realDigitOnPaper(firstSample(5), 8);
    byte[] progressive = TestImages.jpeg(page, 0.85f, true);
    float[] baseline = preprocessor.preprocess(TestImages.jpeg(page, 0.85f, false));

    // when
    float[] tensor = preprocessor.preprocess(progressive);

    // then
    assertIsMnistLike(tensor);
    assertThat(meanAbsDifference(tensor, baseline)).isLessThan(0.01);
  }

  @Test
  void a_jpeg_stored_rotated_with_exif_orientation_6_is_turned_upright() throws Exception {
    // given: a real "7" stored rotated 90° counter-clockwise, tagged "rotate 90° clockwise"
    TestImages.Sample seven = firstSample(7);
    BufferedImage upright = realDigitOnPaper(seven, 8);
    byte[] stored = TestImages.jpeg(TestImages.storedFor(upright, 6), 0.9f, false);
    byte[] tagged = TestImages.withJpegOrientation(stored, 6);
    float[] reference = preprocessor.preprocess(TestImages.jpeg(upright, 0.9f, false));

    // when
    float[] tensor = preprocessor.preprocess(tagged);
    float[] untagged = preprocessor.preprocess(stored);

    // then: the tag is applied, and it is what makes the difference
    assertThat(ExifOrientation.of(tagged)).isEqualTo(6);
    assertIsMnistLike(tensor);
    assertThat(meanAbsDifference(tensor, reference)).isLessThan(0.02);
    assertThat(meanAbsDifference(untagged, reference)).isGreaterThan(0.05);
  }

  @ParameterizedTest(name = "EXIF orientation {0} in a PNG eXIf chunk")
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void every_exif_orientation_gives_exactly_the_upright_tensor(int orientation) throws Exception {
    // given: a real, asymmetric "4" on a non-square page, stored transformed and tagged (lossless)
    BufferedImage square =
        TestImages.grayOnPaper(TestImages.scaledInk(firstSample(4).ink(), 3), 10, 240);
    BufferedImage upright = new BufferedImage(140, 84, BufferedImage.TYPE_BYTE_GRAY);
    upright.getRaster().setRect(0, 0, square.getRaster());
    for (int y = 0; y < 84; y++) {
      for (int x = 84; x < 140; x++) {
        upright.getRaster().setSample(x, y, 0, 240);
      }
    }
    float[] reference = preprocessor.preprocess(TestImages.png(upright));
    byte[] tagged =
        TestImages.withPngOrientation(
            TestImages.png(TestImages.storedFor(upright, orientation)), orientation);

    // when
    float[] tensor = preprocessor.preprocess(tagged);

    // then
    assertThat(ExifOrientation.of(tagged)).isEqualTo(orientation);
    assertThat(tensor).containsExactly(reference);
  }

  @Test
  void malformed_or_missing_exif_means_no_rotation() throws Exception {
    // given
    byte[] jpeg = TestImages.jpeg(realDigitOnPaper(firstSample(2), 2), 0.9f, false);
    byte[] outOfRange = TestImages.withJpegOrientation(jpeg, 9);
    byte[] cut = Arrays.copyOf(TestImages.withJpegOrientation(jpeg, 6), 40);

    // then
    assertThat(ExifOrientation.of(jpeg)).isEqualTo(1);
    assertThat(ExifOrientation.of(outOfRange)).isEqualTo(1);
    assertThat(ExifOrientation.of(cut)).isIn(1, 6);
    assertThat(ExifOrientation.of(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})).isEqualTo(1);
    assertThat(preprocessor.preprocess(outOfRange)).containsExactly(preprocessor.preprocess(jpeg));
  }

  @Test
  void a_lossless_webp_gives_the_same_tensor_as_the_same_pixels_in_png() throws Exception {
    // given: a real "8", dark on light, 112x112, as hand-made VP8L and as PNG
    TestImages.Ink ink = TestImages.scaledInk(firstSample(8).ink(), 4);
    BufferedImage gray = TestImages.grayOnPaper(ink, 30, 240);
    byte[] webp = TestImages.losslessWebp(gray);
    float[] reference = preprocessor.preprocess(png(gray));

    // when
    float[] tensor = preprocessor.preprocess(webp);

    // then
    assertIsMnistLike(tensor);
    assertThat(maxAbsDifference(tensor, reference)).isLessThan(1e-4);
  }

  // ------------------------------------------------------------------ extreme canvases

  @ParameterizedTest(name = "{0}x{1} canvas")
  @CsvSource({"4000, 90", "90, 4000"})
  void a_digit_on_a_very_wide_or_very_tall_canvas_is_found_and_centred(int w, int h)
      throws Exception {
    // given: a real "2" (84x84) near the far end of a long white strip
    TestImages.Ink ink = TestImages.scaledInk(firstSample(2).ink(), 3);
    BufferedImage canvas = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    int ox = w > h ? w - 500 : 3;
    int oy = w > h ? 3 : h - 500;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float a = ink.placedAt(x, y, ox, oy);
        canvas.getRaster().setSample(x, y, 0, Math.round(250 - a * 230));
      }
    }

    // when
    float[] tensor = preprocessor.preprocess(png(canvas));

    // then
    assertIsMnistLike(tensor);
    assertThat(meanAbsDifference(tensor, firstSample(2).ink())).isLessThan(0.1);
  }

  @Test
  void a_tiny_8x8_image_is_enlarged_to_a_20_px_box() throws Exception {
    // given: a real "0" shrunk to 8x8, dark on light
    TestImages.Ink ink = TestImages.scaledInk(firstSample(0).ink(), 8 / 28.0);
    assertThat(ink.size()).isEqualTo(8);

    // when
    float[] tensor = preprocessor.preprocess(png(TestImages.grayOnPaper(ink, 0, 255)));

    // then
    assertIsMnistLike(tensor);
  }

  // ------------------------------------------------------------------ more invalid input

  @Test
  void text_is_rejected_as_not_an_image() {
    // given
    byte[] text = "<html><body>7</body></html>\n".getBytes(StandardCharsets.UTF_8);

    // when
    String reason = rejection(text);

    // then
    assertThat(reason).isEqualTo("not-an-image");
  }

  @Test
  void truncated_progressive_and_cmyk_jpegs_are_rejected_as_undecodable() throws Exception {
    // given
    BufferedImage page = realDigitOnPaper(firstSample(6), 8);
    BufferedImage gray =
        TestImages.grayOnPaper(TestImages.scaledInk(firstSample(6).ink(), 8), 20, 245);
    byte[] progressive = TestImages.jpeg(page, 0.85f, true);
    byte[] cmyk = TestImages.cmykJpeg(gray, 0.85f);

    // when / then
    for (byte[] whole : List.of(progressive, cmyk)) {
      byte[] half = Arrays.copyOf(whole, whole.length / 2);
      String reason = rejection(half);
      assertThat(reason).isEqualTo("undecodable-image");
    }
  }

  @Test
  void a_truncated_webp_is_rejected_as_undecodable_rather_than_half_blank() throws Exception {
    // given: the WebP decoder reads past the end silently; the RIFF size gives it away
    TestImages.Ink ink = TestImages.scaledInk(firstSample(9).ink(), 4);
    byte[] whole = TestImages.losslessWebp(TestImages.grayOnPaper(ink, 30, 240));
    byte[] half = Arrays.copyOf(whole, whole.length / 2);

    // when
    InvalidInputException e =
        catchThrowableOfType(InvalidInputException.class, () -> preprocessor.preprocess(half));

    // then
    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo("undecodable-image");
    assertThat(e.getMessage()).contains("truncated");
  }

  @Test
  void a_jpeg_whose_header_promises_too_many_pixels_is_refused_without_decoding() throws Exception {
    // given: a small JPEG whose SOF0 is patched to declare 65000 x 65000 pixels
    byte[] jpeg = jpeg(seven(BufferedImage.TYPE_INT_RGB, 64, 64, Color.BLACK, Color.WHITE));
    int sof = 2;
    while (!((jpeg[sof] & 0xFF) == 0xFF && (jpeg[sof + 1] & 0xFF) == 0xC0)) {
      sof += 2 + (((jpeg[sof + 2] & 0xFF) << 8) | (jpeg[sof + 3] & 0xFF));
    }
    ByteBuffer.wrap(jpeg, sof + 5, 4).putShort((short) 65000).putShort((short) 65000);

    // when / then
    assertRefusedQuicklyAsTooManyPixels(jpeg);
  }

  /** Asserts the bytes are refused as too many pixels within 2 s, i.e. without being decoded. */
  private void assertRefusedQuicklyAsTooManyPixels(byte[] bytes) {
    long start = System.nanoTime();
    InvalidInputException e =
        catchThrowableOfType(InvalidInputException.class, () -> preprocessor.preprocess(bytes));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(e.reason()).isEqualTo("too-many-pixels");
    assertThat(millis).isLessThan(2_000);
  }

  // ------------------------------------------------------------------ determinism

  @Test
  void the_same_bytes_always_give_identical_floats_on_any_thread() throws Exception {
    // given
    byte[] bytes = jpeg(zero(BufferedImage.TYPE_INT_RGB, 333, 257, Color.BLUE, Color.YELLOW));
    float[] first = preprocessor.preprocess(bytes);

    // when
    float[] second = preprocessor.preprocess(bytes);
    List<float[]> concurrent = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<float[]>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> preprocessor.preprocess(bytes)));
      }
      for (Future<float[]> f : futures) {
        concurrent.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }

    // then
    assertThat(second).containsExactly(first);
    assertThat(concurrent).allSatisfy(t -> assertThat(t).containsExactly(first));
  }

  // ------------------------------------------------------------------ real MNIST digits

  @Test
  void real_mnist_samples_come_out_close_to_the_original_digits() throws Exception {
    // given
    if (!Files.isDirectory(SAMPLES)) {
      fail(
          "MNIST samples folder is missing: "
              + SAMPLES.toAbsolutePath().normalize()
              + " (expected mnist-NNNNN-label-D.png files)");
    }
    List<Path> samples;
    try (Stream<Path> files = Files.list(SAMPLES)) {
      samples =
          files
              .filter(p -> p.getFileName().toString().matches("mnist-\\d+-label-\\d\\.png"))
              .sorted()
              .toList();
    }
    assertThat(samples).as("MNIST sample PNGs in %s", SAMPLES).isNotEmpty();
    // given: every sample (each takes ~0.1 ms)
    for (Path sample : samples) {
      byte[] bytes = Files.readAllBytes(sample);
      float[] original = samplesOf(ImageIO.read(sample.toFile()));

      // when
      float[] tensor = preprocessor.preprocess(bytes);

      // then
      assertThat(meanAbsDifference(tensor, original))
          .as("mean |preprocessed - original| for %s", sample.getFileName())
          .isLessThan(0.1);
      double[] com = centreOfMass(tensor);
      assertThat(com[0])
          .as("centre of mass x of %s", sample.getFileName())
          .isCloseTo(14, within1());
      assertThat(com[1])
          .as("centre of mass y of %s", sample.getFileName())
          .isCloseTo(14, within1());
    }
  }

  // ------------------------------------------------------------------ helpers: assertions

  private static Offset<Double> within1() {
    return Offset.offset(1.0);
  }

  /** 784 values in [0,1], black border, COM within 1 px of (14,14), box longer side ~20 px. */
  private static void assertIsMnistLike(float[] t) {
    assertThat(t).hasSize(MnistPreprocessor.SIZE * MnistPreprocessor.SIZE);
    for (float v : t) {
      assertThat(v).isBetween(0f, 1f);
    }
    double[] com = centreOfMass(t);
    assertThat(com[0]).as("centre of mass x").isCloseTo(14, within1());
    assertThat(com[1]).as("centre of mass y").isCloseTo(14, within1());
    int[] box = boundingBox(t);
    int longer = Math.max(box[2] - box[0], box[3] - box[1]) + 1;
    assertThat(longer).as("bounding box longer side").isBetween(19, 21);
  }

  private static double[] centreOfMass(float[] t) {
    double sum = 0;
    double sx = 0;
    double sy = 0;
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        float v = t[y * 28 + x];
        sum += v;
        sx += x * v;
        sy += y * v;
      }
    }
    return new double[] {sx / sum, sy / sum};
  }

  /** {x0, y0, x1, y1} of the values above 0.1 (inclusive). */
  private static int[] boundingBox(float[] t) {
    int x0 = 28;
    int y0 = 28;
    int x1 = -1;
    int y1 = -1;
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        if (t[y * 28 + x] > 0.1f) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
      }
    }
    return new int[] {x0, y0, x1, y1};
  }

  private static double maxAbsDifference(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }

  private static double meanAbsDifference(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d += Math.abs(a[i] - b[i]);
    }
    return d / a.length;
  }

  private static float max(float[] t) {
    float m = 0;
    for (float v : t) {
      m = Math.max(m, v);
    }
    return m;
  }

  /** First band of an 8-bit gray image as floats in [0,1]. */
  private static float[] samplesOf(BufferedImage image) {
    Raster r = image.getRaster();
    float[] out = new float[image.getWidth() * image.getHeight()];
    int bits = r.getSampleModel().getSampleSize(0);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        out[y * image.getWidth() + x] = r.getSample(x, y, 0) / (float) ((1 << bits) - 1);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ helpers: images

  /** A w x h RGB image, all white. */
  private static BufferedImage whitePage(int w, int h) {
    BufferedImage page = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = page.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.dispose();
    return page;
  }

  private static BufferedImage seven(int type, int w, int h, Color ink, Color paper) {
    BufferedImage image = new BufferedImage(w, h, type);
    drawSeven(image, ink, paper);
    return image;
  }

  /** A thick "7" filling the middle of the image, drawn with antialiasing. */
  private static void drawSeven(BufferedImage image, Color ink, Color paper) {
    int w = image.getWidth();
    int h = image.getHeight();
    Graphics2D g = image.createGraphics();
    g.setComposite(AlphaComposite.Src);
    g.setColor(paper);
    g.fillRect(0, 0, w, h);
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(ink);
    g.setStroke(
        new BasicStroke(Math.max(2f, w / 10f), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    Path2D.Float path = new Path2D.Float();
    path.moveTo(w * 0.25, h * 0.2);
    path.lineTo(w * 0.75, h * 0.2);
    path.lineTo(w * 0.42, h * 0.8);
    g.draw(path);
    g.dispose();
  }

  /** A thick ellipse ring ("0") in the middle of the image. */
  private static BufferedImage zero(int type, int w, int h, Color ink, Color paper) {
    BufferedImage image = new BufferedImage(w, h, type);
    Graphics2D g = image.createGraphics();
    g.setColor(paper);
    g.fillRect(0, 0, w, h);
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(ink);
    g.setStroke(new BasicStroke(Math.max(2f, w / 9f)));
    g.draw(new Ellipse2D.Double(w * 0.3, h * 0.2, w * 0.35, h * 0.55));
    g.dispose();
    return image;
  }

  /** A 2-band (gray + alpha) image: opaque dark ring on transparent pixels. */
  private static BufferedImage grayPlusAlpha(int w, int h) {
    ColorSpace gray = ColorSpace.getInstance(ColorSpace.CS_GRAY);
    ComponentColorModel cm =
        new ComponentColorModel(gray, true, false, Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
    WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
    BufferedImage ring = zero(BufferedImage.TYPE_BYTE_GRAY, w, h, Color.WHITE, Color.BLACK);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        raster.setSample(x, y, 0, 20);
        raster.setSample(x, y, 1, ring.getRaster().getSample(x, y, 0));
      }
    }
    return new BufferedImage(cm, raster, false, null);
  }

  private static byte[] png(BufferedImage image) throws IOException {
    return encode(image, "png");
  }

  private static byte[] jpeg(BufferedImage image) throws IOException {
    return encode(image, "jpg");
  }

  private static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(image, format, out)).as("ImageIO writes %s", format).isTrue();
    return out.toByteArray();
  }

  /** PNG signature, a real IHDR for an 8-bit RGBA w x h image, an empty IDAT and IEND. */
  private static byte[] pngHeaderOnly(int w, int h) {
    ByteBuffer ihdr = ByteBuffer.allocate(13);
    ihdr.putInt(w).putInt(h).put((byte) 8).put((byte) 6).put((byte) 0).put((byte) 0).put((byte) 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    TestImages.pngChunk(out, "IHDR", ihdr.array());
    TestImages.pngChunk(out, "IDAT", new byte[0]);
    TestImages.pngChunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }
}
