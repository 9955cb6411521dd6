using System.Diagnostics;

namespace Ec2Ops.Core;

/// <summary>
/// Deadlines that fire on a dedicated thread instead of the thread pool. .NET's timers (Task.Delay,
/// CancelAfter) call back on pool threads, so when a process's pool is starved a "1 s" timeout
/// fires tens of seconds late. These fire on time, and what awaits them continues on that thread
/// (their tasks run continuations synchronously), so a timed-out call fails on time too.
/// </summary>
public static class DeadlineTimer
{
    private static readonly object Gate = new();
    private static readonly PriorityQueue<TaskCompletionSource, long> Pending = new();
    private static Thread? s_thread;

    /// <summary>A task that completes after <paramref name="delay"/>, or is cancelled with <paramref name="cancellation"/>.</summary>
    public static Task Delay(TimeSpan delay, CancellationToken cancellation = default)
    {
        var deadline = Start(delay);
        if (!cancellation.CanBeCanceled)
        {
            return deadline.Expired;
        }

        var registration = cancellation.Register(() => deadline.Cancel(cancellation));
        return deadline.Expired.ContinueWith(
            t =>
            {
                registration.Dispose();
                return t;
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Unwrap();
    }

    /// <summary>A deadline <paramref name="after"/> from now; dispose it once it is no longer needed.</summary>
    public static Deadline Start(TimeSpan after)
    {
        var completion = new TaskCompletionSource();
        long due = Stopwatch.GetTimestamp() + (long)(Math.Max(0, after.TotalSeconds) * Stopwatch.Frequency);
        lock (Gate)
        {
            // The timer thread sleeps until the earliest deadline: wake it only for an earlier one.
            bool earliest = !Pending.TryPeek(out _, out long next) || due < next;
            Pending.Enqueue(completion, due);
            if (s_thread is null)
            {
                s_thread = new Thread(Run) { IsBackground = true, Name = "Ec2Ops deadlines" };
                s_thread.Start();
            }

            if (earliest)
            {
                Monitor.Pulse(Gate);
            }
        }

        return new Deadline(completion);
    }

    private static void Run()
    {
        while (true)
        {
            TaskCompletionSource? due = null;
            lock (Gate)
            {
                while (due is null)
                {
                    if (!Pending.TryPeek(out var next, out long when))
                    {
                        Monitor.Wait(Gate);
                        continue;
                    }

                    long wait = when - Stopwatch.GetTimestamp();
                    if (wait <= 0)
                    {
                        due = Pending.Dequeue();
                    }
                    else
                    {
                        Monitor.Wait(Gate, TimeSpan.FromSeconds(Math.Min((double)wait / Stopwatch.Frequency, 60)));
                    }
                }
            }

            // Outside the lock: the continuations of whatever awaited it run here. Nothing may escape
            // this thread (that would end the process), and the next deadline must still fire.
            try
            {
                due.TrySetResult();
            }
            catch (Exception)
            {
            }
        }
    }

    /// <summary>One pending deadline. <see cref="Expired"/> completes when it is reached.</summary>
    public sealed class Deadline : IDisposable
    {
        private readonly TaskCompletionSource _completion;

        internal Deadline(TaskCompletionSource completion) => _completion = completion;

        public Task Expired => _completion.Task;

        internal void Cancel(CancellationToken cancellation) => _completion.TrySetCanceled(cancellation);

        /// <summary>Lets go of the deadline: it will not complete <see cref="Expired"/> any more.</summary>
        public void Dispose() => _completion.TrySetCanceled();
    }
}
