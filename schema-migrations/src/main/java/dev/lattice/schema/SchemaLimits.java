package dev.lattice.schema;

/**
 * Bounds on what the loader reads and how hard it checks merge handlers. Schema files come from
 * operators, not from clients, but they are still parsed with limits: a runaway file (deep
 * nesting, a huge string, a billion-laughs alias bomb) must fail with a clear error, not exhaust
 * the edge's memory.
 *
 * @param maxFileBytes a file larger than this is refused before it is parsed
 * @param maxNestingDepth Jackson {@code StreamReadConstraints.maxNestingDepth}
 * @param maxStringLength Jackson {@code StreamReadConstraints.maxStringLength}, in chars
 * @param maxDocumentLength Jackson {@code StreamReadConstraints.maxDocumentLength}, in bytes or chars
 * @param lawSamples triples of values {@code MergeLaws} tries per custom handler
 * @param lawSeed seed of those samples, fixed so a load is reproducible
 */
public record SchemaLimits(
    int maxFileBytes, int maxNestingDepth, int maxStringLength, long maxDocumentLength,
    int lawSamples, long lawSeed) {

  public static final SchemaLimits DEFAULT = new SchemaLimits(1 << 20, 32, 64 * 1024, 1 << 20, 2_000, 0x5EED_1A77_1CE5L);

  /** @throws IllegalArgumentException naming the first bound that is not positive */
  public SchemaLimits {
    positive("maxFileBytes", maxFileBytes);
    positive("maxNestingDepth", maxNestingDepth);
    positive("maxStringLength", maxStringLength);
    positive("maxDocumentLength", maxDocumentLength);
    positive("lawSamples", lawSamples);
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
