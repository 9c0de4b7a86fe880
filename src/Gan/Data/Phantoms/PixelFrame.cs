// Maps between the render grid (pixels) and the patient's anatomical frame (cm). The anatomical frame is
// the upright patient: x to the image right (the patient's left in a PA view), y down, origin at the top-left
// of the 35.8 cm field (JSRT). The patient is rotated in-plane by a small angle about the field centre;
// rotation preserves distances, so tubes can be stamped in pixel space with their anatomical radii.
namespace Opacity.Gan.Data.Phantoms;

internal readonly struct PixelFrame
{
    /// <summary>Field of view in cm (JSRT: 2048 px at 0.175 mm).</summary>
    public const double FieldCm = 35.84;

    public int N { get; }
    public double CmPerPx { get; }
    public double PxPerCm { get; }
    private readonly double _cos, _sin;

    public PixelFrame(int n, double cos, double sin)
    {
        N = n;
        CmPerPx = FieldCm / n;
        PxPerCm = n / FieldCm;
        _cos = cos;
        _sin = sin;
    }

    /// <summary>Pixel centre (px, py) to anatomical cm.</summary>
    public void ToAnatomy(double px, double py, out double x, out double y)
    {
        double wx = (px + 0.5) * CmPerPx - FieldCm / 2, wy = (py + 0.5) * CmPerPx - FieldCm / 2;
        x = _cos * wx + _sin * wy + FieldCm / 2;
        y = -_sin * wx + _cos * wy + FieldCm / 2;
    }

    /// <summary>Anatomical cm to continuous pixel coordinates (pixel centres at integer + 0.5 - 0.5).</summary>
    public void ToPixel(double x, double y, out double px, out double py)
    {
        double ax = x - FieldCm / 2, ay = y - FieldCm / 2;
        double wx = _cos * ax - _sin * ay, wy = _sin * ax + _cos * ay;
        px = (wx + FieldCm / 2) * PxPerCm - 0.5;
        py = (wy + FieldCm / 2) * PxPerCm - 0.5;
    }
}
