package dev.lattice.bench.edge;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Reads what a receiver in the live section needs from a CBOR frame without decoding the CRDT
 * change: the message type, and the dots of the deltas it carries (from each delta blob's fixed
 * header: tag, version, replica id, sequence; see {@code DeltaCodec}), plus an ack's id. Jackson's
 * streaming parser, the same library {@code SyncCodec} uses, but no tree and no CRDT decoding, so
 * the receivers cost as little as possible on the CPUs they share with the server. The first
 * frames of each run are also decoded in full with {@code SyncCodec} as a check.
 */
final class FramePeek {
  static final CBORFactory CBOR = new CBORFactory();

  /** What one frame holds. */
  static final class Frame {
    String type;
    long[] replicas = new long[1];
    long[] seqs = new long[1];
    int deltas;
    long id = -1;
    long size = -1;
    String code;

    void add(long replica, long seq) {
      if (deltas == replicas.length) {
        replicas = java.util.Arrays.copyOf(replicas, deltas * 2);
        seqs = java.util.Arrays.copyOf(seqs, deltas * 2);
      }
      replicas[deltas] = replica;
      seqs[deltas] = seq;
      deltas++;
    }
  }

  private FramePeek() {}

  static Frame peek(byte[] frame) {
    Frame f = new Frame();
    try (JsonParser p = CBOR.createParser(frame)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return f;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals("t")) {
          f.type = p.getText();
        } else if (name.equals("id") && t == JsonToken.VALUE_NUMBER_INT) {
          f.id = p.getLongValue();
        } else if (name.equals("size") && t == JsonToken.VALUE_NUMBER_INT) {
          f.size = p.getLongValue();
        } else if (name.equals("code") && t == JsonToken.VALUE_STRING) {
          f.code = p.getText();
        } else if (name.equals("deltas") && t == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.VALUE_EMBEDDED_OBJECT) {
            byte[] blob = p.getBinaryValue();
            ByteBuffer b = ByteBuffer.wrap(blob);
            f.add(b.getLong(2), b.getLong(10));
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return f;
  }
}
