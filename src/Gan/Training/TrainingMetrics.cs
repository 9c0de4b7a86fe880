// The validation numbers the trainers report. Computed with Opacity.Gan.Metrics (DetectionMetrics:
// confusion at 0.5 and ROC AUC; SegmentationMetrics: foreground IoU and Dice per image, averaged over
// images, METHOD.md's default mIoU).
namespace Opacity.Gan.Training;

public sealed record ClassifierMetrics(int Count, double Loss, double Accuracy, double Auc, double Sensitivity, double Specificity);

public sealed record SegmenterMetrics(int Count, double Loss, double MeanIoU, double MeanDice);
