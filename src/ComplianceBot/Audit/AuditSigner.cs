using System.Security.Cryptography;
using ComplianceBot.Data;
using Microsoft.Extensions.Options;

namespace ComplianceBot.Audit;

/// <summary>
/// The host's ECDSA P-256 signing key for export manifests and audit checkpoints. From Audit:SigningKey (PKCS#8 PEM;
/// set it when several hosts share one database) or else generated on first start into the data folder.
/// Signatures are IEEE P1363 (r‖s) in hex: what VERIFY.md specifies and verify.py checks.
/// </summary>
public sealed class AuditSigner : IDisposable
{
    private readonly ECDsa _key;

    public AuditSigner(IOptions<AuditOptions> options, IConfiguration configuration, IHostEnvironment environment, ILogger<AuditSigner> logger)
    {
        _key = ECDsa.Create();
        if (options.Value.SigningKey is { Length: > 0 } pem)
        {
            _key.ImportFromPem(pem);
        }
        else
        {
            var path = Path.Combine(DataExtensions.DataDirectory(configuration, environment), "keys", "audit-signing-key.pem");
            if (File.Exists(path))
            {
                _key.ImportFromPem(File.ReadAllText(path));
            }
            else
            {
                _key.GenerateKey(ECCurve.NamedCurves.nistP256);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, _key.ExportPkcs8PrivateKeyPem());
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                logger.LogInformation("Audit signing key: generated {Path}; back it up with the data (or set Audit:SigningKey) — exports and checkpoints are verified against it", path);
            }
        }

        if (_key.KeySize != 256)
        {
            throw new InvalidOperationException("Audit:SigningKey must be an ECDSA P-256 key.");
        }

        var spki = _key.ExportSubjectPublicKeyInfo();
        KeyId = Convert.ToHexStringLower(SHA256.HashData(spki));
        PublicKeyPem = _key.ExportSubjectPublicKeyInfoPem() + "\n";
    }

    /// <summary>SHA-256 (hex) of the public key's DER SubjectPublicKeyInfo.</summary>
    public string KeyId { get; }

    public string PublicKeyPem { get; }

    public string Sign(ReadOnlySpan<byte> data) =>
        Convert.ToHexStringLower(_key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    public bool Verify(ReadOnlySpan<byte> data, string signatureHex)
    {
        try
        {
            return _key.VerifyData(data, Convert.FromHexString(signatureHex), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public void Dispose() => _key.Dispose();
}
