package dev.engram.demo;

import dev.engram.data.Dataset;

import java.util.List;
import java.util.Random;

/**
 * A deterministic synthetic loan-approval data set, made here (nothing is downloaded): applicants with an age,
 * a yearly income, the amount they ask for and their sex, and the bank's historical decision. The history is
 * biased on purpose, so that a model trained on it learns what the demo's rules forbid: men were favoured, and
 * applicants under 25 were turned down more often whatever their income. Nobody under 18 ever applied, so the
 * data says nothing about minors; a model extrapolates there.
 *
 * <p>The decision: approve when {@code 3 income/100k - 4 amount/40k - 0.4 + 0.8 [male] - 1.5 [age < 25] + noise > 0},
 * noise normal with deviation 0.35.
 *
 * @param age    years, in [18, 80]
 * @param income EUR per year, log-normal around 45,000, at most 200,000
 * @param amount EUR, log-normal around 8,000, in [500, 50,000]
 * @param male   true for men
 * @param approved the historical decision
 */
public record LoanData(double[] age, double[] income, double[] amount, boolean[] male, boolean[] approved) {
    /** The model's outputs, in order: output 0 scores approval, output 1 rejection. */
    public static final List<String> CLASSES = List.of("approve", "reject");
    /** Normalisation of the inputs ({@code model = (real - mean) / range}), as the rule file declares it. */
    public static final double AGE_MEAN = 45;
    public static final double AGE_RANGE = 50;
    public static final double INCOME_MEAN = 50000;
    public static final double INCOME_RANGE = 100000;
    public static final double AMOUNT_MEAN = 10000;
    public static final double AMOUNT_RANGE = 20000;
    /** Model inputs: age, income, amount, then sex one-hot (female, male). */
    public static final int INPUTS = 5;

    /** {@code n} applicants, the same ones for the same seed. */
    public static LoanData generate(int n, long seed) {
        Random r = new Random(seed);
        double[] age = new double[n];
        double[] income = new double[n];
        double[] amount = new double[n];
        boolean[] male = new boolean[n];
        boolean[] approved = new boolean[n];
        for (int i = 0; i < n; i++) {
            age[i] = 18 + 62 * Math.pow(r.nextDouble(), 1.3);
            income[i] = Math.min(200000, Math.exp(Math.log(45000) + 0.55 * r.nextGaussian()));
            amount[i] = Math.max(500, Math.min(50000, Math.exp(Math.log(8000) + 0.8 * r.nextGaussian())));
            male[i] = r.nextBoolean();
            double z = 3 * income[i] / 100000 - 4 * amount[i] / 40000 - 0.4 + (male[i] ? 0.8 : 0)
                    - (age[i] < 25 ? 1.5 : 0) + 0.35 * r.nextGaussian();
            approved[i] = z > 0;
        }
        return new LoanData(age, income, amount, male, approved);
    }

    public int rows() {
        return age.length;
    }

    /** The model inputs of row {@code i} (float32, as fed to the model). */
    public float[] input(int i) {
        return encode(age[i], income[i], amount[i], male[i]);
    }

    /** An applicant in model units. */
    public static float[] encode(double age, double income, double amount, boolean male) {
        return new float[] {(float) ((age - AGE_MEAN) / AGE_RANGE), (float) ((income - INCOME_MEAN) / INCOME_RANGE),
                (float) ((amount - AMOUNT_MEAN) / AMOUNT_RANGE), male ? 0f : 1f, male ? 1f : 0f};
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) as training data: label 0 approve, 1 reject. */
    public Dataset dataset(int from, int to) {
        float[][] x = new float[to - from][];
        int[] y = new int[to - from];
        for (int i = from; i < to; i++) {
            x[i - from] = input(i);
            y[i - from] = approved[i] ? 0 : 1;
        }
        return new Dataset(x, y, CLASSES);
    }

    /** Share of approvals among men ({@code men}) or women in rows {@code from..to}, by {@code decisions} (0 approve). */
    public double approvalRate(int[] decisions, int from, boolean men) {
        int n = 0;
        int yes = 0;
        for (int k = 0; k < decisions.length; k++) {
            if (male[from + k] == men) {
                n++;
                yes += decisions[k] == 0 ? 1 : 0;
            }
        }
        return n == 0 ? Double.NaN : (double) yes / n;
    }
}
