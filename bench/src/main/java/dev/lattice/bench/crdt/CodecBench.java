package dev.lattice.bench.crdt;

import dev.lattice.bench.ResultSink;
import dev.lattice.crdt.codec.CodecException;
import dev.lattice.crdt.codec.CrdtCodec;
import dev.lattice.crdt.type.Document;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The canonical codec on a 10-field document of LWW fields with ~100-byte string values: encode
 * and decode throughput, and (outside JMH, see {@link #reportSizes}) the encoded size and the
 * overhead per field beyond the field names and value bytes, whose target is at most 15 bytes.
 *
 * <p>Three shapes of the same document ({@link Fixtures.DocShape}): {@code fresh}, every field
 * written once; {@code rewritten}, every field overwritten once by another replica, so each
 * register's context also holds the overwritten dot; and {@code stored}, the rewritten document
 * compacted against a version vector that covers its dots, as a replica stores it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CodecBench {
  /** The {@code name} of the size lines, as {@code --only} sees it. */
  public static final String SIZE_NAME = "crdt.CodecBench.size";

  @Param({"fresh", "rewritten", "stored"})
  String shape;

  Document doc;
  byte[] bytes;

  @Setup
  public void setup() throws CodecException {
    doc = Fixtures.document(shape(shape), Fixtures.DOC_FIELDS);
    bytes = CrdtCodec.encode(doc);
    checkRoundTrip(doc, bytes);
  }

  @Benchmark
  public byte[] encode() {
    return CrdtCodec.encode(doc);
  }

  @Benchmark
  public Document decode() throws CodecException {
    return CrdtCodec.decode(bytes, Document.class);
  }

  /**
   * Reports, per shape, deterministic sizes (no timing): {@code bytes} of the encoded document,
   * {@code payload} (field names plus value bytes in UTF-8), {@code overhead.per.field} = (bytes -
   * payload) / fields, blob header included, and {@code overhead.marginal.field}: how many bytes
   * an eleventh field adds beyond its name and value.
   *
   * @throws CodecException if the codec cannot decode its own output (then nothing is reported)
   */
  public static void reportSizes(ResultSink out) throws CodecException {
    for (Fixtures.DocShape s : Fixtures.DocShape.values()) {
      Document ten = Fixtures.document(s, Fixtures.DOC_FIELDS);
      String[] elevenFields = Arrays.copyOf(Fixtures.DOC_FIELDS, Fixtures.DOC_FIELDS.length + 1);
      elevenFields[Fixtures.DOC_FIELDS.length] = Fixtures.EXTRA_FIELD;
      Document eleven = Fixtures.document(s, elevenFields);
      byte[] tenBytes = CrdtCodec.encode(ten);
      byte[] elevenBytes = CrdtCodec.encode(eleven);
      checkRoundTrip(ten, tenBytes);
      checkRoundTrip(eleven, elevenBytes);
      int fields = ten.fields().keys().size();
      int payload = Fixtures.payloadBytes(ten);
      int extraPayload = Fixtures.payloadBytes(eleven) - payload;
      Map<String, Object> params = new LinkedHashMap<>();
      params.put("shape", s.name().toLowerCase(Locale.ROOT));
      params.put("fields", fields);
      out.emit(SIZE_NAME, params, "bytes", tenBytes.length, "bytes");
      out.emit(SIZE_NAME, params, "payload", payload, "bytes");
      out.emit(SIZE_NAME, params, "overhead.per.field", (double) (tenBytes.length - payload) / fields, "bytes/field");
      out.emit(SIZE_NAME, params, "overhead.marginal.field",
          elevenBytes.length - tenBytes.length - extraPayload, "bytes/field");
    }
  }

  private static Fixtures.DocShape shape(String name) {
    return Fixtures.DocShape.valueOf(name.toUpperCase(Locale.ROOT));
  }

  private static void checkRoundTrip(Document doc, byte[] bytes) throws CodecException {
    Document back = CrdtCodec.decode(bytes, Document.class);
    if (!back.equals(doc)) {
      throw new IllegalStateException("codec round trip changed the document; refusing to measure it");
    }
  }
}
