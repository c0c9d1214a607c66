//! 日本語 (です・ます調).

use super::Shared::{self, *};

pub fn text(key: Shared) -> &'static str {
    match key {
        PointsOne => "{n} ポイント",
        PointsOther => "{n} ポイント",
        NetworkFailure => "Tessera に接続できません。通信状態を確認して、もう一度お試しください。",
        UnexpectedAnswer => "Tessera から予期しない応答がありました (HTTP {status})。もう一度お試しください。",
        ReceiptNumber => "レシート {number}",
        ReceiptMeta => "{at} · {register} · お客様番号 {customer}",
        ServedBy => "担当: {name}",
        ApprovedBy => "承認: {name}",
        Sale => "お買い上げ",
        Tip => "チップ",
        PaidFromPrepaid => "プリペイドでのお支払い",
        PrepaidBefore => "プリペイド残高 (前)",
        PrepaidAfter => "プリペイド残高 (後)",
        PaidByCard => "カード払い",
        PointsEarned => "獲得ポイント",
        PointsBefore => "ポイント (前)",
        PointsAfter => "ポイント (後)",
        WelcomeBonus => "入会ボーナス",
        PointsExpired => "失効ポイント",
        PrepaidTopUpCash => "プリペイドのチャージ (現金)",
        AmountOff => "{amount} 引き",
        FreeItem => "{item} × 1 無料",
        PointsRedeemed => "利用ポイント",
        RefundOfReceipt => "返金対象のレシート",
        Refunded => "返金済み",
        RefundedAtProcessor => "カード会社経由で返金",
        ReturnedToPrepaid => "プリペイドへの返金",
        PointsGivenBack => "戻したポイント",
        PointsTakenBack => "取り消したポイント",
        PointsAlreadySpent => "利用済みのポイント (取り消しなし)",
        PartlyRefunded => "一部返金済み",
        RefundedBy => "{state}: ",
        OpenRefundReceipt => "返金レシート {number} を開く",
        Basket => "小計",
        CouponLine => "クーポン: {name}",
        CouponBonusPoints => "+{n} ポイント",
        ReceiptQrLabel => "返金用のレシート番号の QR コード",
        NoPasskeyYet => "パスキーはまだありません。",
        PasskeyNotUsedYet => "未使用",
        PasskeyLastUsed => "最終使用: {at}",
        PasskeyLine => "{name} · 追加: {added} · {used}",
        Remove => "削除",
        RemoveNamed => "{name} を削除",
        PasskeyNotAllowed => {
            "パスキーは使用されませんでした (キャンセル、時間切れ、またはこのサイト用のパスキーがありません)。"
        }
        PasskeyAlreadyHeld => "この端末には、このアカウントのパスキーがすでにあります。",
        PasskeyWrongAddress => "パスキーはこのサイト本来のアドレス (https または localhost) でのみ使えます。",
        PasskeyNotSupported => "この端末には、このサイトで使えるパスキー (ES256) がありません。",
        PasskeyFailed => "パスキーを使えませんでした。もう一度お試しください。",
        PasskeyNoneUsed => "パスキーは使用されませんでした。",
    }
}
