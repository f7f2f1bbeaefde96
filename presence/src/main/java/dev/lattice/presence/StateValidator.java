package dev.lattice.presence;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.lattice.presence.PresenceException.Reason;
import java.io.IOException;

/**
 * Checks a member state and returns its compact text: a JSON object of at most
 * {@link PresenceConfig#maxStateBytes()} UTF-8 bytes as given and at most
 * {@link PresenceConfig#maxStateDepth()} levels deep, no duplicate keys, no unpaired surrogates.
 *
 * <p>The size is measured on the text as given, before parsing, so a huge input costs a length
 * check and nothing more. States from the wire arrive already compact (the codec copies them
 * compactly), so for clients the limit is on the compact form. Equal compact text means equal
 * state, which is how the hub skips broadcasting a state that did not change.
 */
final class StateValidator {
  private final int maxBytes;
  private final int maxDepth;
  private final JsonFactory factory;

  StateValidator(PresenceConfig config) {
    this.maxBytes = config.maxStateBytes();
    this.maxDepth = config.maxStateDepth();
    this.factory = Json.factory(maxDepth, maxBytes);
  }

  /** @throws PresenceException STATE_TOO_LARGE or MALFORMED, naming the problem */
  String compact(String json, String room) throws PresenceException {
    if (json == null) {
      throw new PresenceException(Reason.MALFORMED, room, "state is missing");
    }
    if (json.length() > maxBytes) {
      // Every char is at least one UTF-8 byte; no need to count the rest of a huge string.
      throw new PresenceException(Reason.STATE_TOO_LARGE, room,
          "state is at least " + json.length() + " bytes, over the limit of " + maxBytes);
    }
    int bytes = Json.utf8Length(json);
    if (bytes > maxBytes) {
      throw new PresenceException(Reason.STATE_TOO_LARGE, room,
          "state is " + bytes + " bytes, over the limit of " + maxBytes);
    }
    try (JsonParser p = factory.createParser(json)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new PresenceException(Reason.MALFORMED, room,
            "state must be a JSON object, got " + (first == null ? "nothing" : describe(first)));
      }
      String compact = Json.copyCompact(factory, p, room);
      if (p.nextToken() != null) {
        throw new PresenceException(Reason.MALFORMED, room, "trailing content after the state object");
      }
      return compact;
    } catch (StreamConstraintsException e) {
      String m = e.getOriginalMessage();
      throw new PresenceException(Reason.MALFORMED, room, m != null && m.contains("nesting depth")
          ? "state nests deeper than " + maxDepth + " levels" : Json.describe(e));
    } catch (JsonProcessingException e) {
      throw new PresenceException(Reason.MALFORMED, room, "state is " + Json.describe(e));
    } catch (IOException e) {
      // A String source does no I/O; kept total so nothing but PresenceException escapes.
      throw new PresenceException(Reason.MALFORMED, room, "state cannot be read: " + e.getMessage());
    }
  }

  static String describe(JsonToken t) {
    switch (t) {
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      case START_OBJECT:
        return "an object";
      default:
        return t.toString();
    }
  }
}
