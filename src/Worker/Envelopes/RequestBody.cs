using System.Buffers;

namespace Vespa.Worker.Envelopes;

/// <summary>
/// A request body read into a pooled array, capped at the configured size. Disposing returns
/// the array to the pool, so the owner must not use <see cref="Memory"/> afterwards.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private byte[]? _array;

    private RequestBody(byte[] array, int length)
    {
        _array = array;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => _array is null ? throw new ObjectDisposedException(nameof(RequestBody)) : _array.AsMemory(0, Length);

    /// <summary>Reads the whole body; returns <c>null</c> when it is larger than <paramref name="limit"/> bytes.</summary>
    public static async Task<RequestBody?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        // Step 1: refuse a declared oversize body before reading any of it.
        var declared = request.ContentLength;
        if (declared > limit)
        {
            return null;
        }

        // Step 2: read into a pooled buffer that grows by doubling, never beyond limit + 1 bytes.
        var cap = (int)Math.Min(limit, Array.MaxLength - 1);
        var array = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(declared ?? 4096, 256, cap + 1L));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == array.Length)
                {
                    if (length > cap)
                    {
                        ArrayPool<byte>.Shared.Return(array);
                        return null;
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)array.Length * 2, cap + 1L));
                    array.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(array);
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
                    ArrayPool<byte>.Shared.Return(array);
                    return null;
                }
            }

            return new RequestBody(array, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(array);
            throw;
        }
    }

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
