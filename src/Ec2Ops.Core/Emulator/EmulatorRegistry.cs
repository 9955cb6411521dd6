namespace Ec2Ops.Core.Emulator;

/// <summary>
/// The one emulator a process (a PowerShell session) has pointed its environment at. The cmdlets
/// keep it here so it outlives the pipeline that started it. Only one at a time can own the
/// environment variables: starting another while one runs is refused unless <c>force</c> is given,
/// which stops the running one (restoring the environment) first.
/// </summary>
public sealed class EmulatorRegistry
{
    private readonly object _gate = new();
    private readonly IEnvironmentVariables _environment;
    private Ec2OpsEmulator? _current;
    private EmulatorSession? _session;

    public EmulatorRegistry(IEnvironmentVariables environment)
    {
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
    }

    /// <summary>The registry of this process, over the real environment; what the cmdlets use.</summary>
    public static EmulatorRegistry Process { get; } = new(ProcessEnvironment.Instance);

    /// <summary>The running emulator, or null.</summary>
    public Ec2OpsEmulator? Current
    {
        get
        {
            lock (_gate)
            {
                return _current is { IsRunning: true } ? _current : null;
            }
        }
    }

    /// <summary>The environment changes made for <see cref="Current"/>, or null.</summary>
    public EmulatorSession? CurrentSession
    {
        get
        {
            lock (_gate)
            {
                return _current is { IsRunning: true } ? _session : null;
            }
        }
    }

    /// <summary>
    /// Starts an emulator and points the environment at it. Throws <c>EmulatorAlreadyRunning</c> when
    /// one is running and <paramref name="force"/> is false; with <paramref name="force"/>, replaces it.
    /// </summary>
    public Ec2OpsEmulator Start(EmulatorOptions? options, bool force = false)
    {
        lock (_gate)
        {
            if (_current is { IsRunning: true } running)
            {
                if (!force)
                {
                    throw new Ec2OpsException(
                        "EmulatorAlreadyRunning",
                        Ec2OpsErrorCategory.ResourceUnavailable,
                        $"An Ec2Ops emulator is already running at {running.Endpoint} ({running.InstanceType} in {running.AvailabilityZone}); the environment points at it.",
                        running)
                    {
                        RecommendedAction = "Run Stop-Ec2OpsEmulator first, or add -Force to replace the running emulator.",
                    };
                }
            }

            // Bad options fail here, before a forced start stops the running emulator: a failed start changes nothing.
            (options ?? new EmulatorOptions()).Clone().Validate();

            // Stop the previous one (also when it was stopped directly, so its environment changes are undone).
            StopCurrentLocked();

            // Validate and bind before touching the environment, so a failed start changes nothing.
            Ec2OpsEmulator emulator = Ec2OpsEmulator.Start(options);
            try
            {
                _session = EmulatorSession.Apply(emulator, _environment);
            }
            catch
            {
                emulator.Stop();
                throw;
            }

            _current = emulator;
            return emulator;
        }
    }

    /// <summary>
    /// Stops <paramref name="emulator"/> (the current one when null). When it is the current one, the
    /// environment is restored. Returns false when there was nothing running to stop.
    /// </summary>
    public bool Stop(Ec2OpsEmulator? emulator = null)
    {
        lock (_gate)
        {
            if (emulator is null || ReferenceEquals(emulator, _current))
            {
                bool wasRunning = _current is { IsRunning: true };
                bool hadSession = _session is not null;
                StopCurrentLocked();
                return wasRunning || hadSession;
            }

            bool running = emulator.IsRunning;
            emulator.Stop();
            return running;
        }
    }

    private void StopCurrentLocked()
    {
        _current?.Stop();
        _session?.Restore();
        _current = null;
        _session = null;
    }
}
