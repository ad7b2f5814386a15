using System.Buffers;
using System.Numerics;
using Microsoft.AspNetCore.Http.Features;

namespace Vespa.Worker.Envelopes;

/// <summary>
/// A request body read into a pooled array, capped at the configured size. Disposing returns
/// the array to the pool, so the owner must not use <see cref="Memory"/> afterwards.
/// </summary>
/// <remarks>
/// The buffer grows as bytes arrive, never from the declared <c>Content-Length</c>: a client that
/// declares 99 MiB and sends nothing holds <see cref="InitialSize"/> bytes, not 99 MiB (issue 9,
/// finding 2). It doubles when full, so it is never more than twice what was received. With an
/// <see cref="UnverifiedBodyBudget"/> every array held is charged to it until
/// <see cref="ReleaseBudget"/> (the signature checked out) or disposal.
/// </remarks>
internal sealed class RequestBody : IDisposable
{
    /// <summary>The first buffer's size (smaller when the declared length is smaller).</summary>
    public const int InitialSize = 16 * 1024;

    /// <summary>
    /// How much of a streamed (chunked) body past the cap is read and dropped before the 413 is sent, and for how
    /// long. A client that is still sending when the worker answers and closes gets a connection reset instead of
    /// the 413 (the kernel resets a socket closed with unread bytes); reading a little more lets a body that is
    /// only somewhat too large finish, so its sender sees the answer. Bounded in bytes and time, and never held:
    /// one small pooled buffer is reused.
    /// </summary>
    public const int DrainBytes = 1024 * 1024;

    private static readonly TimeSpan DrainTime = TimeSpan.FromSeconds(2);

    private byte[]? _array;
    private UnverifiedBodyBudget? _budget;
    private long _charged;

    private RequestBody(byte[] array, int length, UnverifiedBodyBudget? budget, long charged)
    {
        _array = array;
        Length = length;
        _budget = budget;
        _charged = charged;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => _array is null ? throw new ObjectDisposedException(nameof(RequestBody)) : _array.AsMemory(0, Length);

    /// <summary>Reads the whole body; returns <c>null</c> when it is larger than <paramref name="limit"/> bytes.</summary>
    /// <remarks>Not charged to any budget: for small control-plane bodies with a small limit.</remarks>
    public static async Task<RequestBody?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var (body, _) = await ReadAsync(request, limit, budget: null, cancellationToken);
        return body;
    }

    /// <summary>Reads the whole body, charging the arrays it holds to <paramref name="budget"/>.</summary>
    /// <returns>The body when <see cref="RequestBodyStatus.Complete"/>, else why not. A ValueTask: a body already
    /// received completes synchronously, with no task allocated per request.</returns>
    public static async ValueTask<(RequestBody? Body, RequestBodyStatus Status)> ReadAsync(HttpRequest request, long limit, UnverifiedBodyBudget? budget, CancellationToken cancellationToken)
    {
        // Step 1: refuse a declared oversize body before reading any of it.
        var declared = request.ContentLength;
        if (declared > limit)
        {
            return (null, RequestBodyStatus.TooLarge);
        }

        if (declared is null)
        {
            AllowDrain(request, limit);
        }

        // Step 2: a small first buffer; a declared length may make it smaller, never larger.
        var cap = (int)Math.Min(limit, Array.MaxLength - 1);
        var charge = new Charge(budget);
        var array = charge.Rent((int)Math.Clamp(Math.Min(declared ?? InitialSize, InitialSize), 256, cap + 1L));
        if (array is null)
        {
            return (null, RequestBodyStatus.BudgetSpent);
        }

        var length = 0;
        try
        {
            while (true)
            {
                if (length == array.Length)
                {
                    if (length > cap)
                    {
                        charge.Return(array);
                        await DrainAsync(request, declared, cancellationToken);
                        return (null, RequestBodyStatus.TooLarge);
                    }

                    // Step 3: full and more may come: double, within the cap and the budget.
                    var bigger = charge.Rent((int)Math.Min((long)array.Length * 2, cap + 1L));
                    if (bigger is null)
                    {
                        charge.Return(array);
                        return (null, RequestBodyStatus.BudgetSpent);
                    }

                    array.AsSpan(0, length).CopyTo(bigger);
                    charge.Return(array);
                    array = bigger;
                }

                var read = await request.Body.ReadAsync(array.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > cap)
                {
                    charge.Return(array);
                    await DrainAsync(request, declared, cancellationToken);
                    return (null, RequestBodyStatus.TooLarge);
                }
            }

            return (new RequestBody(array, length, budget, charge.Bytes), RequestBodyStatus.Complete);
        }
        catch
        {
            charge.Return(array);
            throw;
        }
    }

    /// <summary>Lets Kestrel's own body limit (the same cap) leave room for <see cref="DrainAsync"/>.</summary>
    private static void AllowDrain(HttpRequest request, long limit)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature
            && feature.MaxRequestBodySize is { } kestrelLimit && kestrelLimit <= limit)
        {
            feature.MaxRequestBodySize = limit + DrainBytes;
        }
    }

    /// <summary>Reads and drops what is left of a streamed oversize body, within <see cref="DrainBytes"/> and
    /// <see cref="DrainTime"/>; whatever is still unsent after that is the client's problem (the connection closes).</summary>
    private static async ValueTask DrainAsync(HttpRequest request, long? declared, CancellationToken cancellationToken)
    {
        if (declared is not null)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DrainTime);
        try
        {
            for (var drained = 0L; drained <= DrainBytes;)
            {
                var read = await request.Body.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    return;
                }

                drained += read;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or BadHttpRequestException)
        {
            // Out of time, the client left, or Kestrel's own limit: stop reading; the 413 goes out as it can.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The signature checked out: the bytes no longer count as unverified (the array is kept).</summary>
    public void ReleaseBudget()
    {
        var budget = Interlocked.Exchange(ref _budget, null);
        budget?.Release(Interlocked.Exchange(ref _charged, 0));
    }

    public void Dispose()
    {
        ReleaseBudget();
        var array = Interlocked.Exchange(ref _array, null);
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    /// <summary>Pooled arrays rented against an optional budget, charged by their real length, reserved before the
    /// array is rented so a refused request never makes the pool allocate.</summary>
    private sealed class Charge
    {
        private readonly UnverifiedBodyBudget? _budget;

        public Charge(UnverifiedBodyBudget? budget)
        {
            _budget = budget;
        }

        public long Bytes { get; private set; }

        public byte[]? Rent(int size)
        {
            if (_budget is null)
            {
                return ArrayPool<byte>.Shared.Rent(size);
            }

            // The shared pool hands out power-of-two lengths up to 2^30 (exact lengths above).
            long expected = size <= (1 << 30) ? (long)BitOperations.RoundUpToPowerOf2((uint)Math.Max(size, 16)) : size;
            if (!_budget.TryReserve(expected))
            {
                return null;
            }

            var array = ArrayPool<byte>.Shared.Rent(size);
            if (array.Length != expected)
            {
                _budget.Release(expected);
                if (!_budget.TryReserve(array.Length))
                {
                    ArrayPool<byte>.Shared.Return(array);
                    return null;
                }
            }

            Bytes += array.Length;
            return array;
        }

        public void Return(byte[] array)
        {
            if (_budget is not null)
            {
                _budget.Release(array.Length);
                Bytes -= array.Length;
            }

            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
