using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Vespa.Core.Signatures;

/// <summary>
/// Hands out <see cref="RSA"/> instances of one public key so that no instance is ever used by two threads at once.
/// </summary>
/// <remarks>
/// .NET documents no thread-safety for <see cref="RSA"/> instance members. Concurrent <c>VerifyHash</c> on one
/// <c>RSAOpenSsl</c> works in practice (OpenSSL allows sharing an unmodified EVP_PKEY), but the .NET team calls it
/// "undocumented, may or may not fail under parallel requests" (dotnet/corefx#9708). A small pool keeps the fast
/// native path without relying on that.
/// </remarks>
internal sealed class RsaInstancePool : IDisposable
{
    private readonly RSAParameters _parameters;
    private readonly ConcurrentQueue<RSA> _idle = new();
    private readonly int _maxIdle;
    private int _idleCount;
    private volatile bool _disposed;

    public RsaInstancePool(RSAParameters publicParameters, int maxIdle)
    {
        _parameters = publicParameters;
        _maxIdle = maxIdle;
    }

    public RSA Rent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_idle.TryDequeue(out var rsa))
        {
            Interlocked.Decrement(ref _idleCount);
            return rsa;
        }

        rsa = RSA.Create();
        rsa.ImportParameters(_parameters);
        return rsa;
    }

    public void Return(RSA rsa)
    {
        if (!_disposed)
        {
            if (Interlocked.Increment(ref _idleCount) <= _maxIdle)
            {
                _idle.Enqueue(rsa);
                if (_disposed)
                {
                    // Dispose ran while this instance was being queued.
                    DisposeIdle();
                }

                return;
            }

            Interlocked.Decrement(ref _idleCount);
        }

        rsa.Dispose();
    }

    public void Dispose()
    {
        _disposed = true;
        DisposeIdle();
    }

    private void DisposeIdle()
    {
        while (_idle.TryDequeue(out var rsa))
        {
            rsa.Dispose();
        }
    }
}
