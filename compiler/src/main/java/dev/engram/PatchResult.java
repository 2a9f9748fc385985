package dev.engram;

import dev.engram.model.LoadedModel;
import dev.engram.patch.Patch;

import java.util.Optional;

/**
 * The outcome of applying or reverting a patch: the model written (null when it failed), the patch, whether the
 * result's bytes equal the patch's recorded base (revert), or the message saying why nothing was written.
 */
public record PatchResult(Optional<String> message, LoadedModel model, Patch patch, boolean identicalToBase) {
    public boolean ok() {
        return message.isEmpty();
    }
}
