package dev.scheduler.jcstress;

import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;

/**
 * Runs the jcstress tests and fails unless they all pass: jcstress's own launcher exits 1 on a
 * forbidden outcome, but exits 0 when its test filter matches nothing, which would pass a build
 * that tested nothing.
 */
public final class RunStress {

    private RunStress() {
    }

    /**
     * Runs jcstress with its usual command-line options.
     *
     * @param args jcstress's options, such as {@code -m quick -t ^dev\.scheduler\.jcstress\.}
     * @throws Exception what jcstress threw; a forbidden outcome is an {@link AssertionError}
     */
    public static void main(String[] args) throws Exception {
        Options options = new Options(args);
        if (!options.parse()) {
            System.exit(2);
        }
        JCStress stress = new JCStress(options);
        if (stress.getTests().isEmpty()) {
            System.err.println("No jcstress test matches " + options.getTestFilter()
                    + ": the annotation processor did not run, or the filter is wrong.");
            System.exit(3);
        }
        stress.run();
        System.exit(0);
    }
}
