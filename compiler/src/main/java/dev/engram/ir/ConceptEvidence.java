package dev.engram.ir;

/**
 * Examples behind one concept statement, in model units: {@code fit} was used to learn the concept and may be used by
 * the lowering (to choose a target, to train a probe); {@code heldOut} is the split of the concept's data that neither
 * the dictionary nor the edit ever saw; {@code test} is independent evaluation data (the task's test set), or empty.
 * Judgements of a compiled rule are measured on {@code heldOut} and {@code test} only.
 */
public record ConceptEvidence(Examples fit, Examples heldOut, Examples test) {

    /**
     * Inputs with the concept's value per row ({@code 1} positive, {@code 0} negative, else unknown) and the task
     * label (the model output that is the right answer, {@code -1} when unknown). Arrays are treated as immutable.
     */
    public record Examples(String description, float[][] inputs, byte[] concept, int[] labels) {
        public Examples {
            if (inputs.length != concept.length || inputs.length != labels.length) {
                throw new IllegalArgumentException(description + ": " + inputs.length + " inputs, " + concept.length
                        + " concept values, " + labels.length + " labels");
            }
        }

        public static Examples none(String description) {
            return new Examples(description, new float[0][], new byte[0], new int[0]);
        }

        public int size() {
            return inputs.length;
        }

        /** True when some row has a task label. */
        public boolean labelled() {
            for (int l : labels) {
                if (l >= 0) {
                    return true;
                }
            }
            return false;
        }

        /** The number of rows with concept value {@code v}. */
        public int count(int v) {
            int n = 0;
            for (byte b : concept) {
                n += b == v ? 1 : 0;
            }
            return n;
        }
    }
}
