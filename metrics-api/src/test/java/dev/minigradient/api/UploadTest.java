package dev.minigradient.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.http.BadRequestResponse;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.UnsupportedMediaTypeResponse;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Reading an uploaded image: limits, draining, media types and empty inputs. */
class UploadTest {
  private static final int MAX = TaskIntake.MAX_INPUT_BYTES;

  /** A stream of {@code size} zero bytes that counts what was read from it. */
  private static final class Counted extends ByteArrayInputStream {
    Counted(long size) {
      super(new byte[(int) size]);
    }

    long consumed() {
      return pos;
    }
  }

  private static Supplier<InputStream> never() {
    return () -> {
      throw new AssertionError("the body must not be opened");
    };
  }

  @Test
  void aRawBodyUpToTheLimitIsKeptWithItsContentType() throws Exception {
    Upload up = Upload.raw("image/png", MAX, () -> new ByteArrayInputStream(new byte[MAX]));
    assertThat(up.bytes()).hasSize(MAX);
    assertThat(up.contentType()).isEqualTo("image/png");
    assertThat(up.filename()).isNull();
  }

  @Test
  void aBodyOverTheLimitIsRefusedWithItsDeclaredSizeAfterItIsReadThrough() {
    Counted body = new Counted(MAX + 1);
    assertThatThrownBy(() -> Upload.body(MAX + 1, () -> body))
        .isInstanceOf(ContentTooLargeResponse.class)
        .hasMessage("input of " + (MAX + 1) + " bytes > " + MAX);
    assertThat(body.consumed()).isEqualTo(MAX + 1);
  }

  @Test
  void aBodyWithoutContentLengthIsCountedAsItIsRead() {
    assertThatThrownBy(() -> Upload.body(-1, () -> new Counted(1_200_000)))
        .isInstanceOf(ContentTooLargeResponse.class)
        .hasMessage("input of 1200000 bytes > " + MAX);
  }

  @Test
  void aBodyDeclaredLargerThanWhatIsDrainedIsRefusedUnread() {
    assertThatThrownBy(() -> Upload.body(Upload.DRAIN_BYTES + 1, never()))
        .isInstanceOf(ContentTooLargeResponse.class)
        .hasMessage("input of " + (Upload.DRAIN_BYTES + 1) + " bytes > " + MAX);
  }

  @Test
  void anEndlessBodyIsDrainedOnlyUpToTheDrainLimit() {
    Counted body = new Counted(3 * Upload.DRAIN_BYTES);
    assertThatThrownBy(() -> Upload.body(-1, () -> body))
        .isInstanceOf(ContentTooLargeResponse.class)
        .hasMessage("input of more than " + Upload.DRAIN_BYTES + " bytes > " + MAX);
    assertThat(body.consumed())
        .isGreaterThan(Upload.DRAIN_BYTES)
        .isLessThan(Upload.DRAIN_BYTES + 128 * 1024);
  }

  @Test
  void jsonFormsAndTextAreRefusedAs415() {
    for (String type :
        new String[] {
          "application/json",
          "Application/x-www-form-urlencoded",
          "text/plain",
          "text/html; charset=utf-8"
        }) {
      assertThatThrownBy(
              () ->
                  Upload.raw(
                      type,
                      2,
                      () -> new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8))))
          .as(type)
          .isInstanceOf(UnsupportedMediaTypeResponse.class)
          .hasMessageContaining("Content-Type");
    }
  }

  @Test
  void aBodyWithoutContentTypeOrAsOctetsIsTaken() throws Exception {
    assertThat(Upload.raw(null, 3, () -> new ByteArrayInputStream(new byte[3])).bytes()).hasSize(3);
    assertThat(
            Upload.raw("application/octet-stream", -1, () -> new ByteArrayInputStream(new byte[3]))
                .bytes())
        .hasSize(3);
  }

  @Test
  void anEmptyBodyOrFileIsA400() {
    assertThatThrownBy(
            () -> Upload.raw("image/png", 0, () -> new ByteArrayInputStream(new byte[0])))
        .isInstanceOf(BadRequestResponse.class)
        .hasMessageContaining("empty input");
    assertThatThrownBy(
            () -> Upload.file("a.png", "image/png", 0, () -> new ByteArrayInputStream(new byte[0])))
        .isInstanceOf(BadRequestResponse.class)
        .hasMessageContaining("empty input");
  }

  @Test
  void aFileKeepsItsNameAndTypeAndOneOverTheLimitIsRefusedUnread() throws Exception {
    Upload up =
        Upload.file(
            "seven.png", "image/png", 3, () -> new ByteArrayInputStream(new byte[] {1, 2, 3}));
    assertThat(up.bytes()).containsExactly(1, 2, 3);
    assertThat(up.filename()).isEqualTo("seven.png");
    assertThat(up.contentType()).isEqualTo("image/png");
    assertThatThrownBy(() -> Upload.file("big.png", "image/png", MAX + 1L, never()))
        .isInstanceOf(ContentTooLargeResponse.class)
        .hasMessage("input of " + (MAX + 1) + " bytes > " + MAX);
  }
}
