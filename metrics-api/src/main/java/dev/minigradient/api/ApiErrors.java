package dev.minigradient.api;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.validation.ValidationException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the API answers errors: JSON {@code {"status":400,"error":"..."}}, a 405 with {@code Allow},
 * and 503 with {@code Retry-After: 1} while the stores or the feed are not ready.
 */
final class ApiErrors {
  private ApiErrors() {}

  /**
   * Answers one of Javalin's typed HTTP exceptions; a 405 lists the allowed methods in {@code
   * Allow}.
   *
   * @param e the exception
   * @param ctx the request
   */
  static void http(HttpResponseException e, Context ctx) {
    String allowed = e.getDetails().get("availableMethods");
    if (e.getStatus() == HttpStatus.METHOD_NOT_ALLOWED.getCode() && allowed != null) {
      ctx.header("Allow", allowed);
      error(
          ctx,
          HttpStatus.METHOD_NOT_ALLOWED,
          ctx.method() + " not allowed on " + ctx.path() + "; allowed: " + allowed);
      return;
    }
    error(ctx, HttpStatus.forStatus(e.getStatus()), e.getMessage());
  }

  /**
   * Answers a failed parameter validation with a 400 naming each field and why.
   *
   * @param e the exception
   * @param ctx the request
   */
  static void validation(ValidationException e, Context ctx) {
    List<String> parts = new ArrayList<>();
    e.getErrors()
        .forEach(
            (field, errors) -> errors.forEach(err -> parts.add(field + ": " + err.getMessage())));
    error(ctx, HttpStatus.BAD_REQUEST, parts.isEmpty() ? "bad request" : String.join("; ", parts));
  }

  /**
   * Answers 503 with {@code Retry-After: 1}.
   *
   * @param ctx the request
   * @param message what is not ready
   */
  static void notReady(Context ctx, String message) {
    ctx.header("Retry-After", "1");
    error(ctx, HttpStatus.SERVICE_UNAVAILABLE, message);
  }

  private static void error(Context ctx, HttpStatus status, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status.getCode());
    body.put("error", message);
    ctx.status(status).json(body);
  }
}
