<?xml version="1.0" encoding="UTF-8"?>
<!-- narrator's starter news lexicon: names of leaders and places that
     text-to-speech voices commonly get wrong. Aliases work with every
     engine; IPA phonemes are used by piper voices. -->
<lexicon version="1.0"
      xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
      xsi:schemaLocation="http://www.w3.org/2005/01/pronunciation-lexicon
        http://www.w3.org/TR/2007/CR-pronunciation-lexicon-20071212/pls.xsd"
      alphabet="ipa" xml:lang="en-US">
  <lexeme><grapheme>Xi Jinping</grapheme><alias>Shee Jin-ping</alias></lexeme>
  <lexeme><grapheme>President Xi</grapheme><alias>President Shee</alias></lexeme>
  <lexeme><grapheme>Zelenskyy</grapheme><grapheme>Zelensky</grapheme><alias>Zeh-lensky</alias></lexeme>
  <lexeme><grapheme>Volodymyr</grapheme><alias>Vo-lo-dimmer</alias></lexeme>
  <lexeme><grapheme>Erdoğan</grapheme><grapheme>Erdogan</grapheme><alias>Erdo-wan</alias></lexeme>
  <lexeme><grapheme>Sheinbaum</grapheme><alias>Shine-baum</alias></lexeme>
  <lexeme><grapheme>Albanese</grapheme><alias>Alba-neezy</alias></lexeme>
  <lexeme><grapheme>Nguyen</grapheme><alias>Win</alias></lexeme>
  <lexeme><grapheme>Kyiv</grapheme><alias>Keev</alias><phoneme>kiːv</phoneme></lexeme>
  <lexeme><grapheme>Qatar</grapheme><alias>Kattar</alias><phoneme>ˈkʌtɑːɹ</phoneme></lexeme>
  <lexeme><grapheme>Beijing</grapheme><alias>Bay-jing</alias><phoneme>beɪˈdʒɪŋ</phoneme></lexeme>
  <lexeme><grapheme>Pyongyang</grapheme><alias>Pyong-yang</alias></lexeme>
  <lexeme><grapheme>Guangzhou</grapheme><alias>Gwahng-joe</alias></lexeme>
  <lexeme><grapheme>Worcester</grapheme><alias>Wooster</alias></lexeme>
  <lexeme><grapheme>Leicester</grapheme><alias>Lester</alias></lexeme>
  <lexeme><grapheme>Gloucester</grapheme><alias>Gloster</alias></lexeme>
  <lexeme><grapheme>Des Moines</grapheme><alias>Duh Moyn</alias></lexeme>
  <lexeme><grapheme>Boise</grapheme><alias>Boy-see</alias></lexeme>
  <lexeme><grapheme>Arkansas</grapheme><alias>Arkan-saw</alias></lexeme>
  <lexeme><grapheme>Louisville</grapheme><alias>Looey-ville</alias></lexeme>
  <lexeme><grapheme>Taoiseach</grapheme><alias>Tee-shock</alias></lexeme>
</lexicon>
