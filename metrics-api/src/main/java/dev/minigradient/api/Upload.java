package dev.minigradient.api;

import io.javalin.http.BadRequestResponse;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import io.javalin.http.UnsupportedMediaTypeResponse;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * An image submitted to {@code POST /api/tasks}, read from the raw request body or from the first
 * file part of a {@code multipart/form-data} request. Whatever cannot become a task is refused with
 * the reason: 400 for an empty input or a form without a file, 413 for more than {@link
 * TaskIntake#MAX_INPUT_BYTES} bytes, 415 for JSON, form or {@code text/*} bodies.
 *
 * @param bytes the input bytes, never empty
 * @param contentType the media type its sender gave, may be null
 * @param filename the multipart part's file name, null for a raw body
 */
record Upload(byte[] bytes, String contentType, String filename) {
  /** Most bytes of a too-large raw body read through before it is refused (see {@link #body}). */
  static final long DRAIN_BYTES = 8L * 1024 * 1024;

  /**
   * Reads the upload of a request.
   *
   * @param ctx the request
   * @return the upload
   * @throws IOException if the body cannot be read
   * @throws BadRequestResponse for an empty input or a multipart request without a file part
   * @throws ContentTooLargeResponse over {@link TaskIntake#MAX_INPUT_BYTES}
   * @throws UnsupportedMediaTypeResponse for JSON, form or text bodies
   */
  static Upload read(Context ctx) throws IOException {
    if (lowerCase(ctx.contentType()).startsWith("multipart/form-data")) {
      List<UploadedFile> files = ctx.uploadedFiles();
      if (files.isEmpty()) {
        throw new BadRequestResponse(
            "multipart request without a file part (send the image as a file field, e.g. -F image=@digit.png)");
      }
      UploadedFile f = files.get(0);
      return file(f.filename(), f.contentType(), f.size(), f::content);
    }
    return raw(ctx.contentType(), ctx.req().getContentLengthLong(), ctx::bodyInputStream);
  }

  /**
   * An upload sent as the raw body.
   *
   * @param contentType the request's {@code Content-Type}, may be null
   * @param declared its {@code Content-Length}, or -1 when absent (chunked)
   * @param body opens the body; called only when the body is to be read
   * @return the upload
   * @throws IOException if the body cannot be read
   * @throws BadRequestResponse for an empty body
   * @throws ContentTooLargeResponse over {@link TaskIntake#MAX_INPUT_BYTES}
   * @throws UnsupportedMediaTypeResponse for JSON, form or text bodies
   */
  static Upload raw(String contentType, long declared, Supplier<InputStream> body)
      throws IOException {
    String type = lowerCase(contentType);
    if (type.startsWith("application/json")
        || type.startsWith("application/x-www-form-urlencoded")
        || type.startsWith("text/")) {
      throw new UnsupportedMediaTypeResponse(
          "send the image bytes as the body with its Content-Type (e.g. image/png), or a file as multipart/form-data (a V2 inference request of a tensor model as a file part of type application/json, or as the body of POST /v2/models/{name}/infer)");
    }
    return nonEmpty(new Upload(body(declared, body), contentType, null));
  }

  /**
   * An upload sent as a multipart file part.
   *
   * @param filename the part's file name, may be null
   * @param contentType the part's media type, may be null
   * @param size the part's size, bytes
   * @param content opens the part; called only when it is within the limit
   * @return the upload
   * @throws IOException if the part cannot be read
   * @throws BadRequestResponse for an empty part
   * @throws ContentTooLargeResponse over {@link TaskIntake#MAX_INPUT_BYTES}
   */
  static Upload file(String filename, String contentType, long size, Supplier<InputStream> content)
      throws IOException {
    if (size > TaskIntake.MAX_INPUT_BYTES) {
      throw tooLarge(size);
    }
    try (InputStream in = content.get()) {
      return nonEmpty(new Upload(in.readAllBytes(), contentType, filename));
    }
  }

  /**
   * A raw request body of at most {@link TaskIntake#MAX_INPUT_BYTES}, read by us rather than by
   * {@code ctx.bodyAsBytes()}, whose own limit (1,000,000 bytes) answers a bare "Content Too
   * Large". A body without {@code Content-Length} is bounded the same way. A larger body is read
   * through and dropped, up to {@link #DRAIN_BYTES}, so that the client, still sending, reads our
   * answer rather than a reset connection; one declared larger than that is answered at once.
   *
   * @param declared the {@code Content-Length}, or -1 when absent
   * @param open opens the body
   * @return the body's bytes
   * @throws IOException if the body cannot be read
   * @throws ContentTooLargeResponse over the limit, with the declared or counted size
   */
  static byte[] body(long declared, Supplier<InputStream> open) throws IOException {
    return body(declared, open, TaskIntake.MAX_INPUT_BYTES, "input");
  }

  /**
   * A raw request body of at most {@code limit} bytes, read and bounded as {@link #body(long,
   * Supplier)} reads an input.
   *
   * @param declared the {@code Content-Length}, or -1 when absent
   * @param open opens the body
   * @param limit most bytes accepted, below {@link #DRAIN_BYTES}
   * @param what what the body is, for the message: {@code "<what> of N bytes > limit"}
   * @return the body's bytes
   * @throws IOException if the body cannot be read
   * @throws ContentTooLargeResponse over the limit, with the declared or counted size
   */
  static byte[] body(long declared, Supplier<InputStream> open, int limit, String what)
      throws IOException {
    if (declared > DRAIN_BYTES) {
      throw tooLarge(what, declared, limit);
    }
    try (InputStream in = open.get()) {
      byte[] bytes = in.readNBytes(limit + 1);
      if (bytes.length <= limit) {
        return bytes;
      }
      long total = bytes.length;
      byte[] drop = new byte[64 * 1024];
      int n;
      while (total <= DRAIN_BYTES && (n = in.read(drop)) > 0) {
        total += n;
      }
      if (declared >= 0 || total <= DRAIN_BYTES) {
        throw tooLarge(what, declared >= 0 ? declared : total, limit);
      }
      throw new ContentTooLargeResponse(
          what + " of more than " + DRAIN_BYTES + " bytes > " + limit);
    }
  }

  private static Upload nonEmpty(Upload upload) {
    if (upload.bytes().length == 0) {
      throw new BadRequestResponse("empty input: send an image as the request body");
    }
    return upload;
  }

  private static ContentTooLargeResponse tooLarge(long size) {
    return tooLarge("input", size, TaskIntake.MAX_INPUT_BYTES);
  }

  private static ContentTooLargeResponse tooLarge(String what, long size, long limit) {
    return new ContentTooLargeResponse(what + " of " + size + " bytes > " + limit);
  }

  private static String lowerCase(String contentType) {
    return contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
  }
}
