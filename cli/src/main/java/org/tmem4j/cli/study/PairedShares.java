package org.tmem4j.cli.study;

import java.util.Arrays;

/**
 * The engine's speed as a share of the raw codec's, pass by pass. Each pass of the study times the codec alone and
 * then the engine on the same pages, back to back, so one pass's share sees both under the same state of the
 * machine; on a machine whose speed drifts by tens of percent between runs, the median of the passes' shares is
 * the figure to compare, and the lowest and highest say how far the machine moved it. The fastest pass of each,
 * which the MB/s columns show, may come from passes minutes apart.
 *
 * @param median the median of the passes' shares (the mean of the middle two for an even count).
 * @param low    the lowest pass's share.
 * @param high   the highest pass's share.
 */
public record PairedShares(double median, double low, double high)
{
    /**
     * @param engine the engine's speed in each pass.
     * @param codec  the raw codec's speed in the same passes.
     * @return the shares' median, lowest and highest; a pass whose codec speed is 0 counts as share 0.
     * @throws IllegalArgumentException if the two differ in length or hold no pass.
     */
    public static PairedShares of(final double[] engine, final double[] codec)
    {
        if (engine.length != codec.length || engine.length == 0)
        {
            throw new IllegalArgumentException("need the same number of engine and codec passes, at least one; got " +
                engine.length + " and " + codec.length);
        }
        final double[] shares = new double[engine.length];
        for (int i = 0; i < shares.length; i++)
        {
            shares[i] = codec[i] == 0 ? 0.0 : engine[i] / codec[i];
        }
        Arrays.sort(shares);
        final int middle = shares.length / 2;
        final double median = shares.length % 2 == 1 ? shares[middle] : (shares[middle - 1] + shares[middle]) / 2;
        return new PairedShares(median, shares[0], shares[shares.length - 1]);
    }
}
