namespace Ec2Ops.Core.Factorization;

/// <summary>
/// numpy's legacy <c>RandomState(seed)</c>: MT19937 seeded with <c>init_genrand</c>, 53-bit doubles
/// and the polar Box-Muller normal with its cached second value. With the same seed it draws the
/// same numbers as scikit-learn's <c>random_state=seed</c>, so Random and Nndsvdar inits match.
/// </summary>
internal sealed class NumpyRandomState
{
    private const int StateLength = 624;
    private readonly uint[] _key = new uint[StateLength];
    private int _position;
    private bool _hasGauss;
    private double _gauss;

    public NumpyRandomState(uint seed)
    {
        _key[0] = seed;
        for (int i = 1; i < StateLength; i++)
        {
            _key[i] = (1812433253u * (_key[i - 1] ^ (_key[i - 1] >> 30))) + (uint)i;
        }

        _position = StateLength;
    }

    /// <summary>A seed drawn from the system generator, for callers that gave none.</summary>
    public static NumpyRandomState FromSeedOrEntropy(int? seed) =>
        new(seed is int s ? unchecked((uint)s) : (uint)System.Random.Shared.NextInt64(0, 1L << 32));

    /// <summary><c>random_sample()</c>: uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5;
        uint b = NextUInt32() >> 6;
        return ((a * 67108864.0) + b) / 9007199254740992.0;
    }

    /// <summary><c>standard_normal()</c> (legacy polar method).</summary>
    public double NextGaussian()
    {
        if (_hasGauss)
        {
            _hasGauss = false;
            return _gauss;
        }

        double x1, x2, r2;
        do
        {
            x1 = (2.0 * NextDouble()) - 1.0;
            x2 = (2.0 * NextDouble()) - 1.0;
            r2 = (x1 * x1) + (x2 * x2);
        }
        while (r2 >= 1.0 || r2 == 0.0);

        double f = Math.Sqrt(-2.0 * Math.Log(r2) / r2);
        _gauss = f * x1;
        _hasGauss = true;
        return f * x2;
    }

    /// <summary><c>permutation(n)</c>: legacy Fisher-Yates from the end, with masked rejection sampling.</summary>
    public int[] Permutation(int n)
    {
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)Interval((uint)i);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }

    /// <summary>A uniform integer in [0, max]: draws masked to max's bit length until one fits.</summary>
    private uint Interval(uint max)
    {
        uint mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint value;
        while ((value = NextUInt32() & mask) > max)
        {
        }

        return value;
    }

    public uint NextUInt32()
    {
        if (_position == StateLength)
        {
            Generate();
        }

        uint y = _key[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    private void Generate()
    {
        const uint upper = 0x80000000u, lower = 0x7fffffffu, matrixA = 0x9908b0dfu;
        int i = 0;
        for (; i < StateLength - 397; i++)
        {
            uint y = (_key[i] & upper) | (_key[i + 1] & lower);
            _key[i] = _key[i + 397] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : matrixA);
        }

        for (; i < StateLength - 1; i++)
        {
            uint y = (_key[i] & upper) | (_key[i + 1] & lower);
            _key[i] = _key[i + 397 - StateLength] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : matrixA);
        }

        uint last = (_key[StateLength - 1] & upper) | (_key[0] & lower);
        _key[StateLength - 1] = _key[396] ^ (last >> 1) ^ ((last & 1) == 0 ? 0 : matrixA);
        _position = 0;
    }
}
