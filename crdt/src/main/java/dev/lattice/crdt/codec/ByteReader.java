package dev.lattice.crdt.codec;

import dev.lattice.crdt.codec.CodecException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the primitive encodings of the format from an untrusted byte array. Every read checks the
 * remaining input first and fails with a {@link CodecException} naming the offset; nothing is
 * allocated before the input has been shown to hold it.
 */
final class ByteReader {
  private final byte[] buf;
  private int pos;
  private CharsetDecoder utf8;

  ByteReader(byte[] buf) {
    this.buf = buf;
  }

  int position() {
    return pos;
  }

  int remaining() {
    return buf.length - pos;
  }

  int readByte(String what) throws CodecException {
    if (pos >= buf.length) {
      throw new CodecException(Reason.TRUNCATED, pos, "input ends before " + what);
    }
    return buf[pos++] & 0xFF;
  }

  /**
   * An unsigned LEB128 varint of at most 64 bits, in its shortest form.
   *
   * @return the value as an unsigned long (callers bound it further)
   */
  long readVarint(String what) throws CodecException {
    int start = pos;
    long result = 0;
    for (int shift = 0; ; shift += 7) {
      if (pos >= buf.length) {
        throw new CodecException(Reason.TRUNCATED, start, "input ends inside the varint " + what);
      }
      int b = buf[pos++] & 0xFF;
      if (shift == 63 && b > 1) {
        throw new CodecException(Reason.INVALID_VALUE, start, "varint " + what + " exceeds 64 bits");
      }
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) {
          throw new CodecException(Reason.NOT_CANONICAL, start,
              "varint " + what + " (" + Long.toUnsignedString(result) + ") is not in its shortest form");
        }
        return result;
      }
    }
  }

  /** A varint that must fit a non-negative long. */
  long readVarintLong(String what) throws CodecException {
    int start = pos;
    long v = readVarint(what);
    if (v < 0) {
      throw new CodecException(Reason.INVALID_VALUE, start,
          what + " " + Long.toUnsignedString(v) + " exceeds " + Long.MAX_VALUE);
    }
    return v;
  }

  /**
   * A count of items that each take at least {@code minBytes}: refused before any allocation when
   * the remaining input cannot hold that many.
   */
  int readCount(int minBytes, String what) throws CodecException {
    int start = pos;
    long n = readVarint(what);
    if (n < 0 || n > remaining() / minBytes) {
      throw new CodecException(Reason.LENGTH_OUT_OF_RANGE, start,
          what + " " + Long.toUnsignedString(n) + " cannot fit in the " + remaining() + " bytes left");
    }
    return (int) n;
  }

  /** Checks that {@code n} items of at least {@code minBytes} each fit in what is left. */
  void checkFits(long n, int minBytes, int at, String what) throws CodecException {
    if (n < 0 || n > remaining() / minBytes) {
      throw new CodecException(Reason.LENGTH_OUT_OF_RANGE, at,
          what + " " + Long.toUnsignedString(n) + " cannot fit in the " + remaining() + " bytes left");
    }
  }

  long readFixed64(String what) throws CodecException {
    if (remaining() < 8) {
      throw new CodecException(Reason.TRUNCATED, pos, "input ends inside the 8-byte " + what);
    }
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buf[pos++] & 0xFF);
    }
    return v;
  }

  byte[] readBytes(int n) {
    byte[] out = new byte[n];
    System.arraycopy(buf, pos, out, 0, n);
    pos += n;
    return out;
  }

  /** {@code n} bytes (already checked to fit) of strict UTF-8: no overlong forms, no surrogates. */
  String readUtf8(int n, String what) throws CodecException {
    int start = pos;
    if (utf8 == null) {
      utf8 = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
    boolean ascii = true;
    for (int i = start; i < start + n; i++) {
      if (buf[i] < 0) {
        ascii = false;
        break;
      }
    }
    pos += n;
    if (ascii) {
      return new String(buf, start, n, StandardCharsets.US_ASCII);
    }
    try {
      return utf8.decode(ByteBuffer.wrap(buf, start, n)).toString();
    } catch (CharacterCodingException e) {
      throw new CodecException(Reason.INVALID_VALUE, start, what + " of " + n + " bytes is not valid UTF-8");
    }
  }

  /** Fails unless every byte was consumed. */
  void expectEnd() throws CodecException {
    if (pos != buf.length) {
      throw new CodecException(Reason.TRAILING_BYTES, pos, remaining() + " bytes follow the end of the value");
    }
  }
}
